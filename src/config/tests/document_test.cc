#include <gtest/gtest.h>

#include "config/document.h"

namespace astacus::config {
namespace {

using Json = nlohmann::json;

Json doc(const std::string& text) {
  auto parsed = parse_document(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().to_string();
  return parsed ? *parsed : Json();
}

TEST(Document, PlainScalarsResolveLikePyYaml) {
  Json j = doc(R"(
s: hello
q: "5515"
sq: 'true'
tagged: !!str 12
i: 5515
neg: -3
under: 1_000
hex: 0x1F
oct: 0755
zero: 0
f: 1.5
fexp: 1.0e+3
dot: .5
not_float: 1e5
not_oct: 08
t: true
yes: yes
off: Off
n1: ~
n2: null
n3:
url: http://host:5515/node
big: 123456789012345678901234567890
)");
  EXPECT_EQ(j["s"], "hello");
  EXPECT_EQ(j["q"], "5515");
  EXPECT_EQ(j["sq"], "true");
  EXPECT_EQ(j["tagged"], "12");
  EXPECT_EQ(j["i"], 5515);
  EXPECT_EQ(j["neg"], -3);
  EXPECT_EQ(j["under"], 1000);
  EXPECT_EQ(j["hex"], 31);
  EXPECT_EQ(j["oct"], 493);
  EXPECT_EQ(j["zero"], 0);
  EXPECT_EQ(j["f"], 1.5);
  EXPECT_EQ(j["fexp"], 1000.0);
  EXPECT_EQ(j["dot"], 0.5);
  EXPECT_EQ(j["not_float"], "1e5");
  EXPECT_EQ(j["not_oct"], "08");
  EXPECT_EQ(j["t"], true);
  EXPECT_EQ(j["yes"], true);
  EXPECT_EQ(j["off"], false);
  EXPECT_TRUE(j["n1"].is_null());
  EXPECT_TRUE(j["n2"].is_null());
  EXPECT_TRUE(j["n3"].is_null());
  EXPECT_EQ(j["url"], "http://host:5515/node");
  EXPECT_EQ(j["big"], "123456789012345678901234567890");
}

TEST(Document, ContainersAnchorsAndMerges) {
  Json j = doc("base: &b {a: 1, b: 2}\nlist: [1, x, {k: v}]\nm: {<<: *b, b: 3}\nm2: {<<: [{a: 9}, *b]}\n");
  EXPECT_EQ(j["list"], Json::parse(R"([1, "x", {"k": "v"}])"));
  EXPECT_EQ(j["m"], Json::parse(R"({"a": 1, "b": 3})"));
  EXPECT_EQ(j["m2"], Json::parse(R"({"a": 9, "b": 2})"));
}

TEST(Document, JsonKeepsItsTypes) {
  Json j = doc(R"({"port": 5515, "s": "5515", "f": 1.5, "b": false, "n": null})");
  EXPECT_EQ(j, Json::parse(R"({"port": 5515, "s": "5515", "f": 1.5, "b": false, "n": null})"));
  EXPECT_EQ(doc("\xEF\xBB\xBF{\"a\": 1}"), Json::parse(R"({"a": 1})"));
}

TEST(Document, Errors) {
  EXPECT_TRUE(doc("").is_null());
  EXPECT_TRUE(doc("# nothing\n").is_null());
  auto syntax = parse_document("a: [1\nb: 2\n");
  ASSERT_FALSE(syntax);
  EXPECT_TRUE(syntax.error().message.starts_with("YAML syntax error at line ")) << syntax.error().message;
  auto key = parse_document("? [a, b]\n: 1\n");
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("mapping keys must be scalars"), std::string::npos) << key.error().message;
  auto deep = parse_document("a: " + std::string(300, '[') + std::string(300, ']') + "\n");
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message.find("nested too deeply"), std::string::npos) << deep.error().message;
}

}  // namespace
}  // namespace astacus::config

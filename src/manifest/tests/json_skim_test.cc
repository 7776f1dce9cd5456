// without_members / sole_member_value / skip_json_value against nlohmann's parser on tricky and random texts.
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "manifest/json_skim.h"

namespace astacus::manifest {
namespace {

using nlohmann::json;

json parsed(const std::optional<std::string>& text) {
  EXPECT_TRUE(text.has_value());
  return text ? json::parse(*text) : json();
}

TEST(JsonSkim, DropsOnlyTheNamedTopLevelMembers) {
  const std::string text = R"( { "state" : {"files":[{"state":1,"p":"a}b]c\"d"}],"x":"\\"},
    "progress": {"final": true, "hashes": [1]}, "hashes":[{"hexdigest":"ab","size":3}],
    "error": "brace } and quote \" and backslash \\", "n": -1.5e3, "t": true, "z": null } )";
  json expected = json::parse(text);
  expected.erase("state");
  expected.erase("hashes");
  EXPECT_EQ(parsed(without_members(text, {"state", "hashes"})), expected);
  EXPECT_EQ(parsed(without_members(text, {})), json::parse(text));
}

TEST(JsonSkim, EmptyAndSingleMemberObjects) {
  EXPECT_EQ(without_members("{}", {"a"}).value(), "{}");
  EXPECT_EQ(without_members(" { } ", {"a"}).value(), "{}");
  EXPECT_EQ(without_members(R"({"a":[1,2]})", {"a"}).value(), "{}");
  EXPECT_EQ(without_members(R"({"a":[1,2],"b":2})", {"a"}).value(), R"({"b":2})");
  EXPECT_EQ(without_members(R"({"b":2,"a":"x"})", {"a"}).value(), R"({"b":2})");
}

TEST(JsonSkim, BrokenStructureIsLeftToTheParser) {
  for (const char* bad : {"", "[]", "{", R"({"a":1)", R"({"a":"unterminated})", R"({"a" 1})", R"({"a":1,})",
                          R"({"a":[1,2})", R"({"a":{"b":1]})", R"({"a":1} trailing)", R"({a:1})", R"({"a":})",
                          R"({"a":"x\"})"}) {
    EXPECT_FALSE(without_members(bad, {"a"}).has_value()) << bad;
  }
}

std::string value_of(std::string_view text, std::string_view name) {
  auto span = sole_member_value(text, name);
  return span ? std::string(text.substr(span->offset, span->size)) : "<none>";
}

TEST(JsonSkim, SoleMemberValueIsTheExactTextOfThatValue) {
  const std::string text = R"( { "state" : {"files":[{"p":"a}b]c\"d"}] , "x":1} , "files": 7,
    "s\"tate": "quoted", "z" : null } )";
  EXPECT_EQ(value_of(text, "state"), R"({"files":[{"p":"a}b]c\"d"}] , "x":1})");
  EXPECT_EQ(value_of(value_of(text, "state"), "files"), R"([{"p":"a}b]c\"d"}])");
  EXPECT_EQ(value_of(text, "files"), "7");
  EXPECT_EQ(value_of(text, "z"), "null");
  EXPECT_EQ(value_of(text, R"(s\"tate)"), R"("quoted")");  // keys match on their raw text
  EXPECT_EQ(value_of(text, "absent"), "<none>");
}

TEST(JsonSkim, SoleMemberValueRefusesRepeatedMembersAndBrokenText) {
  EXPECT_EQ(value_of(R"({"a":1,"b":2,"a":3})", "a"), "<none>");
  EXPECT_EQ(value_of(R"({"a":1,"b":2,"a":3})", "b"), "2");
  EXPECT_EQ(value_of(R"({"a":[1,2})", "a"), "<none>");
  EXPECT_EQ(value_of(R"({"a":1} trailing)", "a"), "<none>");
  EXPECT_EQ(value_of("[1]", "a"), "<none>");
}

TEST(JsonSkim, SkipValueFindsTheEndOfEachKind) {
  const std::string t = R"(  "s\"x" 12 [1,[2]] {"a":"]"} true)";
  size_t p = skip_json_value(t, 0);
  EXPECT_EQ(t.substr(0, p), R"(  "s\"x")");
  size_t q = skip_json_value(t, p);
  EXPECT_EQ(t.substr(p, q - p), " 12");
  size_t r = skip_json_value(t, q);
  EXPECT_EQ(t.substr(q, r - q), " [1,[2]]");
  size_t s = skip_json_value(t, r);
  EXPECT_EQ(t.substr(r, s - r), R"( {"a":"]"})");
  EXPECT_EQ(skip_json_value(t, s), t.size());
  EXPECT_EQ(skip_json_value("   ", 0), std::string_view::npos);
}

json random_value(std::mt19937& rng, int depth) {
  auto text = [&] {
    static const std::vector<std::string> alphabet = {"a", "b", "\"", "\\", "{", "}", "[", "]", ",", ":",
                                                      " ", "\n", "\t", "/", "\x01", "é"};
    std::string s;
    for (int i = rng() % 8; i > 0; --i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  switch (depth > 3 ? rng() % 4 : rng() % 6) {
    case 0: return text();
    case 1: return static_cast<int64_t>(rng()) - 2'000'000'000;
    case 2: return rng() % 2 == 0;
    case 3: return nullptr;
    case 4: {
      json a = json::array();
      for (int i = rng() % 4; i > 0; --i) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (int i = rng() % 4; i > 0; --i) o[text()] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonSkim, RandomObjectsMatchTheParser) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    json o = json::object();
    for (int i = rng() % 6; i > 0; --i) o[i % 2 ? "drop" + std::to_string(i) : "keep" + std::to_string(i)] = random_value(rng, 0);
    json expected = o;
    for (auto it = expected.begin(); it != expected.end();) {
      it = it.key().starts_with("drop") ? expected.erase(it) : std::next(it);
    }
    std::string text = o.dump(round % 2 ? 1 : -1, ' ', round % 3 == 0);
    auto out = without_members(text, {"drop1", "drop3", "drop5"});
    ASSERT_TRUE(out.has_value()) << text;
    EXPECT_EQ(json::parse(*out), expected) << text;
  }
}

}  // namespace
}  // namespace astacus::manifest

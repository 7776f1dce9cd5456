// The etcd v3 JSON gateway shapes and the manifest's etcd dump, without a server.
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "plugins/etcd/dump.h"
#include "plugins/etcd/wire.h"

namespace astacus::plugins::etcd {
namespace {

using nlohmann::json;

TEST(EtcdWire, PrefixRangeEnd) {
  EXPECT_EQ(prefix_range_end("_kv/env/m3db"), "_kv/env/m3dc");
  EXPECT_EQ(prefix_range_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_range_end(std::string("\xff\xff", 2)), std::string(1, '\0'));
  EXPECT_EQ(prefix_range_end(""), std::string(1, '\0'));
}

TEST(EtcdWire, RangeRequestIsBase64WithStringIntegers) {
  auto body = wire::range_request("ab", "ac", 1000, 42);
  EXPECT_EQ(body, json({{"key", "YWI="}, {"range_end", "YWM="}, {"limit", "1000"},
                        {"revision", "42"}}));
  EXPECT_EQ(wire::range_request("a", std::string(1, '\0'), 0, 0),
            json({{"key", "YQ=="}, {"range_end", "AA=="}}));
  EXPECT_EQ(wire::put_request("k", ""), json({{"key", "aw=="}, {"value", ""}}));
}

TEST(EtcdWire, RangeAnswerWithoutKvsIsEmpty) {
  auto page =
      wire::parse_range_response(json::parse(R"({"header":{"cluster_id":"1","revision":"7"}})"));
  ASSERT_TRUE(page) << page.error().to_string();
  EXPECT_TRUE(page->kvs.empty());
  EXPECT_EQ(page->revision, 7);
  EXPECT_FALSE(page->more);
  EXPECT_TRUE(wire::parse_range_response(json::parse(R"({"kvs":null})")));
  EXPECT_TRUE(wire::parse_range_response(json::parse("{}")));
}

TEST(EtcdWire, RangeAnswerWithKeysValuesAndDefaultsOmitted) {
  auto page = wire::parse_range_response(json::parse(R"({
      "header": {"revision": 12},
      "kvs": [{"key": "YQ==", "value": "AP8=", "create_revision": "2", "version": "1"},
              {"key": "Yg==", "mod_revision": "3"}],
      "more": true, "count": "5"})"));
  ASSERT_TRUE(page) << page.error().to_string();
  ASSERT_EQ(page->kvs.size(), 2u);
  EXPECT_EQ(page->kvs[0], (KeyValue{"a", std::string("\x00\xff", 2)}));
  EXPECT_EQ(page->kvs[1], (KeyValue{"b", ""}));  // an empty value is omitted by the gateway
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->revision, 12);
}

TEST(EtcdWire, MalformedRangeAnswersAreNamed) {
  struct Case {
    const char* body;
    const char* expected;
  };
  for (const auto& c : std::vector<Case>{
           {R"([1,2])", "expected a JSON object"},
           {R"({"kvs": {"key": "YQ=="}})", "kvs is not a list"},
           {R"({"kvs": [{"value": "YQ=="}]})", "kvs[0].key is missing"},
           {R"({"kvs": [{"key": "YQ=="}, {"key": "!!"}]})", "kvs[1].key is not base64"},
           {R"({"kvs": [{"key": "YQ==", "value": 5}]})", "kvs[0].value is not a string"},
           {R"({"kvs": ["a"]})", "kvs[0] is not an object"},
           {R"({"header": {"revision": "x1"}})", "header.revision is not an integer"},
           {R"({"more": "yes"})", "more is not a boolean"}}) {
    auto page = wire::parse_range_response(json::parse(c.body));
    ASSERT_FALSE(page) << c.body;
    EXPECT_EQ(page.error().code, ErrorCode::kCorruption) << c.body;
    EXPECT_NE(page.error().message.find(c.expected), std::string::npos) << page.error().message;
  }
}

TEST(EtcdWire, DeleteRangeAnswer) {
  EXPECT_EQ(*wire::parse_delete_range_response(json::parse(R"({"header":{},"deleted":"3"})")), 3);
  EXPECT_EQ(*wire::parse_delete_range_response(json::parse(R"({"header":{}})")), 0);
  EXPECT_FALSE(wire::parse_delete_range_response(json::parse(R"({"deleted":"many"})")));
  EXPECT_FALSE(wire::parse_put_response(json::parse("\"ok\"")));
}

TEST(EtcdWire, GatewayErrorMessages) {
  EXPECT_EQ(wire::error_message(R"({"error":"etcdserver: mvcc: required revision has been )"
                                R"(compacted","code":11,"message":"etcdserver: mvcc: required )"
                                R"(revision has been compacted"})"),
            "etcdserver: mvcc: required revision has been compacted");
  EXPECT_EQ(wire::error_message("Internal Server Error"), "Internal Server Error");
  EXPECT_EQ(wire::error_message(""), "(empty body)");
  EXPECT_EQ(printable_key(std::string("a\x00\xff/b", 5)), "a\\x00\\xff/b");
}

TEST(EtcdDump, JsonRoundTripInPythonShape) {
  Dump dump{{{"_kv/e/m3db.node.namespaces",
              {{"_kv/e/m3db.node.namespaces", std::string("\x00\x01", 2)}}},
             {"_sd.placement/e/m3db", {}}}};
  auto j = dump_to_json(dump);
  EXPECT_EQ(j.dump(),
            R"({"prefixes":[{"prefix_b64":"X2t2L2UvbTNkYi5ub2RlLm5hbWVzcGFjZXM=","keys":[)"
                      R"({"key_b64":"X2t2L2UvbTNkYi5ub2RlLm5hbWVzcGFjZXM=","value_b64":"AAE="}]},)"
                      R"({"prefix_b64":"X3NkLnBsYWNlbWVudC9lL20zZGI=","keys":[]}]})");
  auto back = dump_from_json(j, "plugin_data.etcd");
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, dump);
}

TEST(EtcdDump, MalformedJsonIsNamed) {
  auto bad = nlohmann::ordered_json::parse(
      R"({"prefixes":[{"prefix_b64":"YQ==","keys":[{"key_b64":"YQ==","value_b64":"%%"}]}]})");
  auto parsed = dump_from_json(bad, "backup x plugin_data.etcd");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message,
            "backup x plugin_data.etcd.prefixes[0].keys[0].value_b64: not base64");
  auto missing =
      dump_from_json(nlohmann::ordered_json::parse(R"({"prefixes":[{"keys":[]}]})"), "d");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "d.prefixes[0].prefix_b64: missing");
}

}  // namespace
}  // namespace astacus::plugins::etcd

// The m3db plugin_config and the manifest's m3db record.
#include <gtest/gtest.h>

#include "plugins/m3db/config.h"
#include "plugins/m3db/plugin_data.h"

namespace astacus::plugins::m3db {
namespace {

using nlohmann::json;

json good_config() {
  return json::parse(R"({"etcd_url": "http://127.0.0.1:2379/v3beta", "environment": "default_env",
      "placement_nodes": [{"node_id": "m3db-0", "endpoint": "10.0.0.1:9000", "hostname": "m3db-0"},
                          {"node_id": "m3db-1", "endpoint": "10.0.0.2:9000",
                           "hostname": "m3db-1"}]})");
}

void expect_refused(const json& config, const std::string& expected) {
  auto parsed = parse_m3db_config(config);
  ASSERT_FALSE(parsed) << config.dump();
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message.find(expected), std::string::npos) << parsed.error().message;
}

TEST(M3dbConfig, ParsesAGoodConfigAndNamesThePrefixes) {
  auto parsed = parse_m3db_config(good_config());
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->etcd_url, "http://127.0.0.1:2379/v3beta");
  ASSERT_EQ(parsed->placement_nodes.size(), 2u);
  EXPECT_EQ(parsed->placement_nodes[1], (PlacementNode{"m3db-1", "10.0.0.2:9000", "m3db-1"}));
  EXPECT_EQ(etcd_prefixes("default_env"),
            (std::vector<std::string>{"_kv/default_env/m3db.node.namespaces",
                                      "_sd.placement/default_env/m3db"}));
}

TEST(M3dbConfig, BadValuesNameTheKeyPath) {
  auto c = good_config();
  c.erase("etcd_url");
  expect_refused(c, "coordinator.plugin_config.etcd_url: required key missing");
  c = good_config();
  c["etcd_url"] = "127.0.0.1:2379";
  expect_refused(c, "coordinator.plugin_config.etcd_url: '127.0.0.1:2379' is not an http:// URL");
  c = good_config();
  c["environmnet"] = "typo";
  expect_refused(c, "coordinator.plugin_config.environmnet: unknown key");
  c = good_config();
  c["environment"] = 5;
  expect_refused(c, "coordinator.plugin_config.environment: expected a string");
  c = good_config();
  c["placement_nodes"] = "m3db-0";
  expect_refused(c, "coordinator.plugin_config.placement_nodes: expected a list");
  c = good_config();
  c["placement_nodes"][1]["hostname"] = "";
  expect_refused(c, "coordinator.plugin_config.placement_nodes[1].hostname: must not be empty");
  c = good_config();
  c["placement_nodes"][0]["endpoint"] = std::string(128, 'e');
  expect_refused(c, "placement_nodes[0].endpoint: 128 characters, at most 127");
  c = good_config();
  c["placement_nodes"][0].erase("node_id");
  expect_refused(c, "coordinator.plugin_config.placement_nodes[0].node_id: required key missing");
  c = good_config();
  c["placement_nodes"][0]["port"] = 9000;
  expect_refused(c, "coordinator.plugin_config.placement_nodes[0].port: unknown key");
  c = good_config();
  c["placement_nodes"][1]["node_id"] = "m3db-0";
  expect_refused(c, "placement_nodes[1].node_id: 'm3db-0' is used by an earlier");
  expect_refused(json::array(), "coordinator.plugin_config: expected an object");
}

TEST(M3dbConfig, LongestAcceptedFieldIs127Characters) {
  auto c = good_config();
  c["placement_nodes"][0]["hostname"] = std::string(127, 'h');
  EXPECT_TRUE(parse_m3db_config(c));
}

TEST(M3dbConfig, PlacementNodeCountMustMatchTheNodes) {
  auto config = *parse_m3db_config(good_config());
  EXPECT_TRUE(check_placement_node_count(config, 2));
  auto status = check_placement_node_count(config, 3);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);  // permanent
  EXPECT_NE(status.error().message.find("coordinator.plugin_config.placement_nodes: "
                                        "2 placement nodes for 3 coordinator nodes"),
            std::string::npos)
      << status.error().message;
}

TEST(M3dbPluginData, ParsesTheManifestRecordAndNamesBadFields) {
  auto data = nlohmann::ordered_json::parse(R"({"etcd": {"prefixes": []},
      "placement_nodes": [{"node_id": "a", "endpoint": "e", "hostname": "h"}]})");
  auto parsed = parse_plugin_data(data, "backup-1");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->placement_nodes.at(0), (PlacementNode{"a", "e", "h"}));
  EXPECT_EQ(placement_nodes_to_json(parsed->placement_nodes), data["placement_nodes"]);
  auto bad = parse_plugin_data(nlohmann::ordered_json::object(), "backup-1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "backup backup-1 plugin_data.etcd: missing");
}

}  // namespace
}  // namespace astacus::plugins::m3db

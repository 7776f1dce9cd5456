// examples/astacus-m3-local.yaml works as written: only its paths, port and etcd URL are
// pointed at this test's temp dir, free port and etcd.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "m3_fixture.h"
#include "plugins/etcd/client.h"
#include "support/services.h"

namespace astacus::testing {
namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(M3dbExample, LocalExampleBacksUpAndRestoresM3) {
  EtcdServer etcd;
  plugins::etcd::Client client(etcd.gateway_url());
  auto placement = m3::encode(
      m3::make_placement({{"m3db_local", "rack-a", "127.0.0.1:9000", "m3db_local", 9000}}));
  for (const auto& kv : m3::m3_keys("default_env", placement)) {
    ASSERT_TRUE(client.put(kv.key, kv.value));
  }
  TempDir dir;
  std::ifstream in(std::string(ASTACUS_SOURCE_DIR) + "/examples/astacus-m3-local.yaml");
  std::stringstream text;
  text << in.rdbuf();
  int port = free_port();
  std::string config = replace_all(text.str(), "/tmp/astacus", dir.path().string());
  config = replace_all(config, "5515", std::to_string(port));
  config = replace_all(config, "http://localhost:2379/v3beta", etcd.gateway_url());
  auto config_path = dir.path() / "astacus-m3-local.yaml";
  std::ofstream(config_path) << config;
  auto root = dir.path() / "m3db";
  m3::write_node_data(root, 0);
  auto before = read_tree(root);

  std::string url = "http://127.0.0.1:" + std::to_string(port);
  ServerProcess server(config_path, url, dir.path() / "server.log");
  auto backup = run_astacus({"-u", url, "-w", "60", "backup"});
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err << server.log();
  auto keys = client.get_prefix("");
  ASSERT_TRUE(keys);
  wipe(root);
  ASSERT_TRUE(client.delete_prefix(""));
  auto restore = run_astacus({"-u", url, "-w", "60", "restore"});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err << server.log();
  auto after = read_tree(root);
  for (const auto& [path, state] : before) {
    if (path.ends_with(".db")) {
      EXPECT_TRUE(after.count(path) && after.at(path) == state) << path;
    }
  }
  EXPECT_EQ(*client.get_prefix(""), *keys);
}

}  // namespace
}  // namespace astacus::testing

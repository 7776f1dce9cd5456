// `astacus manifest ...`: offline tools reading the storage with a node's config.
#include <gtest/gtest.h>

#include "helpers.h"

namespace astacus::testing {
namespace {

TEST(SystemManifestTools, ListDescribeDumpAndDownloadFiles) {
  TestCluster cluster({.nodes = 2});
  fill_sample_data(cluster);
  auto expected = read_tree(cluster.root(1));
  expected.erase(".hidden");
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  std::string config = cluster.config_path(0).string();

  auto list = run_astacus({"manifest", "-c", config, "list"});
  expect_ok(list, "manifest list");
  auto names = cluster.stored_objects("json");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(list.out, names[0] + "\n");

  auto describe = run_astacus({"manifest", "-c", config, "describe", names[0]});
  expect_ok(describe, "describe");
  EXPECT_NE(describe.out.find("Plugin: files"), std::string::npos) << describe.out;
  EXPECT_NE(describe.out.find("Snapshot #1 created at"), std::string::npos) << describe.out;

  auto dump = run_astacus({"manifest", "-c", config, "dump", "--pretty", names[0]});
  expect_ok(dump, "dump");
  EXPECT_NE(dump.out.find("<redacted, has"), std::string::npos);
  auto raw = run_astacus({"manifest", "-c", config, "dump", names[0]});
  auto parsed = nlohmann::json::parse(raw.out);
  EXPECT_EQ(parsed["snapshot_results"].size(), 2u);

  auto dest = cluster.work_dir() / "downloaded";
  auto dl = run_astacus({"manifest", "-c", config, "download-files", names[0].substr(7), dest.string(),
                         "--prefix", "", "--node", "1"});
  expect_ok(dl, "download-files");
  auto got = read_tree(dest);
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [path, state] : expected) EXPECT_EQ(got.at(path).content, state.content) << path;

  auto missing = run_astacus({"manifest", "-c", config, "describe", "backup-nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("backup-nope"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace astacus::testing

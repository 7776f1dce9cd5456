// Migration between storage sites: `astacus copy` ships only missing blobs, writes manifests
// last, resumes, and the copied backups restore from the new site.
#include <gtest/gtest.h>

#include "helpers.h"
#include "http/client.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;

void add_second_site(TestCluster& cluster, const fs::path& dir, bool make_default) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto config = cluster.config(i);
    config["object_storage"]["storages"]["new"] = {{"storage_type", "local"}, {"directory", dir.string()}};
    if (make_default) config["object_storage"]["default_storage"] = "new";
    cluster.write_config(i, config);
  }
}

std::vector<std::string> objects(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name.find(".metadata") == std::string::npos && name[0] != '.') out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SystemCopy, MigrateToANewSiteThenRestoreFromBoth) {
  TestCluster cluster;
  fill_sample_data(cluster);
  // Over the 2 MiB stream threshold: copied site to site through bounded buffers.
  write_file(cluster.root(0) / "big/sstable-Data.db", random_bytes(6 << 20, 5), 1700000000000000000);
  auto original = read_tree(cluster.root(0));
  auto new_site = cluster.work_dir() / "new-site";
  add_second_site(cluster, new_site, false);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup to the old site");

  expect_ok(cluster.cli({"-w", "60", "copy", "--from", "local", "--to", "new"}), "copy");
  EXPECT_EQ(objects(new_site / "json"), cluster.stored_objects("json"));
  EXPECT_EQ(objects(new_site / "data"), cluster.stored_objects("data"));

  // Resume: with the manifest gone but the blobs there, a second copy ships no blob.
  auto name = cluster.stored_objects("json")[0];
  fs::remove(new_site / "json" / name);
  fs::remove(new_site / "json" / (name + ".metadata"));
  auto status = run_op_over_http(cluster, "/copy", R"({"from":"local","to":"new"})");
  EXPECT_EQ(status["state"], "done") << status.dump();
  EXPECT_EQ(status["progress"]["total"], 1) << "only the manifest should be copied: " << status.dump();
  EXPECT_EQ(status["storage_traffic"]["new"]["put_requests"], 1) << status.dump();
  EXPECT_EQ(status["storage_traffic"]["local"]["put_requests"], 0) << status.dump();
  EXPECT_EQ(objects(new_site / "json"), cluster.stored_objects("json"));

  // Switch the default to the new site: backups go there; restore works from both sites.
  for (size_t i = 0; i < cluster.size(); ++i) cluster.stop_node(i);
  add_second_site(cluster, new_site, true);
  cluster.start();
  write_file(cluster.root(0) / "after-migration.bin", random_bytes(9000, 77), 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup to the new site");
  EXPECT_EQ(objects(new_site / "json").size(), 2u);
  EXPECT_EQ(cluster.stored_objects("json").size(), 1u);

  wipe(cluster.root(0));
  expect_ok(cluster.cli({"-w", "60", "restore", "--storage", "local"}), "restore from the old site");
  EXPECT_EQ(read_tree(cluster.root(0)), original);
  expect_ok(cluster.cli({"-w", "60", "restore", "--storage", "new", "--backup", name}),
            "restore the copied backup from the new site");
  EXPECT_EQ(read_tree(cluster.root(0)), original);

  // Retire the old site: cleanup on a named (non-default) site.
  expect_ok(cluster.cli({"-w", "60", "cleanup", "--storage", "local", "--minimum-backups", "0",
                         "--maximum-backups", "0"}),
            "cleanup of the old site");
  EXPECT_TRUE(cluster.stored_objects("json").empty());
  EXPECT_TRUE(cluster.stored_objects("data").empty());
  EXPECT_EQ(objects(new_site / "json").size(), 2u);
}

TEST(SystemCopy, UnknownSiteIsNamed) {
  TestCluster cluster({.nodes = 1});
  cluster.start();
  auto r = http::request("POST", cluster.url(0) + "/copy", {std::chrono::seconds(10),
                                                            R"({"from":"local","to":"nope"})"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace astacus::testing

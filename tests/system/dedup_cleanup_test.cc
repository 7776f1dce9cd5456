// Content addressing and retention, checked on the storage itself.
#include <gtest/gtest.h>



#include "helpers.h"
#include "http/client.h"

namespace astacus::testing {
namespace {

nlohmann::json list_json(TestCluster& cluster) {
  auto r = http::request("GET", cluster.url(0) + "/list");
  EXPECT_TRUE(r && r->status == 200);
  return nlohmann::json::parse(r->body);
}


TEST(SystemDedup, SharedFileStoredOnceAndUnchangedBackupUploadsNothing) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");

  // Distinct blob contents > 200 bytes in fill_sample_data: size201 (node0 = node2),
  // deep.txt, random-3m, common (node0 = node1 twice), ünïcødé, random-2m, deep.bin, t256k.
  EXPECT_EQ(cluster.stored_objects("data").size(), 8u);

  expect_ok(cluster.cli({"-w", "60", "backup"}), "second backup");
  auto list = list_json(cluster);
  auto backups = list["storages"][0]["backups"];
  ASSERT_EQ(backups.size(), 2u);
  EXPECT_GT(backups[0]["upload_size"].get<int64_t>(), 5000000);
  EXPECT_EQ(backups[1]["upload_size"].get<int64_t>(), 0);
  EXPECT_EQ(backups[1]["files"], backups[0]["files"]);
  EXPECT_EQ(cluster.stored_objects("data").size(), 8u);
}

TEST(SystemCleanup, RetentionKeepsNewestAndDeletesOnlyUnreferencedBlobs) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();
  auto& r0 = cluster.root(0);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 1");
  auto blobs_1 = cluster.stored_objects("data");
  write_file(r0 / "only-in-2.bin", random_bytes(5000, 21), 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 2");
  std::filesystem::remove(r0 / "only-in-2.bin");
  std::filesystem::remove(r0 / "big/random-3m.bin");  // referenced by 1 and 2 only
  write_file(r0 / "only-in-3.bin", random_bytes(6000, 22), 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 3");
  auto manifests = cluster.stored_objects("json");
  ASSERT_EQ(manifests.size(), 3u);
  EXPECT_EQ(cluster.stored_objects("data").size(), blobs_1.size() + 2);

  // The configured minimum (3) protects everything, as in Python Astacus.
  expect_ok(cluster.cli({"-w", "60", "cleanup", "--maximum-backups", "2"}), "cleanup max 2, min 3");
  EXPECT_EQ(cluster.stored_objects("json"), manifests);

  // Keeps the two newest; every blob is still referenced (random-3m by backup 2).
  expect_ok(cluster.cli({"-w", "60", "cleanup", "--minimum-backups", "1", "--maximum-backups", "2"}),
            "cleanup max 2");
  EXPECT_EQ(cluster.stored_objects("json"), (std::vector<std::string>{manifests[1], manifests[2]}));
  EXPECT_EQ(cluster.stored_objects("data").size(), blobs_1.size() + 2);
  // Node 0's list now reuses the entries its cleanup parsed; node 1's coordinator parses the
  // manifests itself. Both must show the same backups with the same figures.
  auto listed_by_cleaner = cluster.cli({"list"}, 0);
  auto listed_fresh = cluster.cli({"list"}, 1);
  expect_ok(listed_by_cleaner, "list on node 0");
  expect_ok(listed_fresh, "list on node 1");
  EXPECT_EQ(listed_by_cleaner.out, listed_fresh.out);
  EXPECT_NE(listed_fresh.out.find(manifests[2].substr(7)), std::string::npos) << listed_fresh.out;
  EXPECT_EQ(listed_fresh.out.find(manifests[0].substr(7)), std::string::npos) << listed_fresh.out;

  // Keep one: only-in-2 and random-3m go.
  expect_ok(cluster.cli({"-w", "60", "cleanup", "--minimum-backups", "0", "--maximum-backups", "1"}),
            "cleanup max 1");
  EXPECT_EQ(cluster.stored_objects("json"), (std::vector<std::string>{manifests[2]}));
  EXPECT_EQ(cluster.stored_objects("data").size(), blobs_1.size());

  // The remaining backup still restores completely.
  auto expected = read_tree(r0);
  wipe(r0);
  expect_ok(cluster.cli({"-w", "60", "restore"}), "restore after cleanup");
  EXPECT_EQ(read_tree(r0), expected);
}

TEST(SystemCleanup, DeleteRemovesOneBackupAndOnlyItsOwnBlobs) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 1");
  auto blobs_1 = cluster.stored_objects("data");
  write_file(cluster.root(2) / "only-in-2.bin", random_bytes(7000, 31), 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 2");
  auto manifests = cluster.stored_objects("json");
  ASSERT_EQ(manifests.size(), 2u);
  ASSERT_EQ(cluster.stored_objects("data").size(), blobs_1.size() + 1);

  // Name without the prefix, as `list` shows it (Python silently ignored this form).
  expect_ok(cluster.cli({"-w", "60", "delete", "--backups", manifests[1].substr(7)}), "delete");
  EXPECT_EQ(cluster.stored_objects("json"), (std::vector<std::string>{manifests[0]}));
  EXPECT_EQ(cluster.stored_objects("data"), blobs_1);

  expect_ok(cluster.cli({"-w", "60", "delete", "--backups", "backup-does-not-exist"}), "delete unknown");
  EXPECT_EQ(cluster.stored_objects("json"), (std::vector<std::string>{manifests[0]}));
}


// What a node killed in the middle of an upload leaves in a local storage: temp files holding
// whole blobs, never visible as objects. Cleanup removes those older than an hour and keeps
// younger ones (a writer may still be working on them).
TEST(SystemCleanup, CleanupRemovesTempFilesOfInterruptedUploadsOlderThanAnHour) {
  TestCluster cluster({.nodes = 2});
  fill_sample_data(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto blobs = cluster.stored_objects("data");
  auto temps = cluster.storage_dir() / ".astacus-tmp";
  std::filesystem::path stale = temps / "4" / ".0a1b2c.1122334455667788.tmp";
  std::filesystem::path stale_sidecar = temps / "9" / "0a1b2c1122334455667788.metadata_tmp";
  std::filesystem::path fresh = temps / "4" / ".3d4e5f.99aabbccddeeff00.tmp";
  write_file(stale, random_bytes(300000, 41), 1700000000000000000);
  write_file(stale_sidecar, "{}", 1700000000000000000);
  write_file(fresh, random_bytes(1000, 42), 0);
  std::filesystem::last_write_time(fresh, std::filesystem::file_time_type::clock::now());

  expect_ok(cluster.cli({"-w", "60", "cleanup"}), "cleanup");
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_FALSE(std::filesystem::exists(stale_sidecar));
  EXPECT_TRUE(std::filesystem::exists(fresh)) << "a temp written in the last hour may still be in use";
  EXPECT_EQ(cluster.stored_objects("data"), blobs);
  EXPECT_EQ(cluster.stored_objects("json").size(), 1u);
}

}  // namespace
}  // namespace astacus::testing

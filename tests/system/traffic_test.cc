// Storage accounting: every op's status carries "storage_traffic" per site — requests by kind
// and stored bytes — summed over the nodes and the coordinator, and it matches what storage
// really holds.
#include <gtest/gtest.h>

#include "helpers.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;

// Stored bytes of the objects under storage/<sub> (sidecars excluded).
int64_t stored_bytes(const TestCluster& cluster, const std::string& sub) {
  int64_t total = 0;
  for (const auto& name : cluster.stored_objects(sub)) {
    total += static_cast<int64_t>(fs::file_size(cluster.storage_dir() / sub / name));
  }
  return total;
}

TEST(SystemTraffic, BackupRestoreAndCleanupReportRequestsAndBytesPerSite) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();

  auto backup = run_op_over_http(cluster, "/backup");
  ASSERT_EQ(backup["state"], "done") << backup.dump();
  const auto& put = backup["storage_traffic"]["local"];
  auto blobs = cluster.stored_objects("data").size();
  ASSERT_GT(blobs, 0u);
  EXPECT_EQ(put["put_requests"], blobs + 1) << "one PUT per blob plus the manifest: " << backup.dump();
  EXPECT_EQ(put["bytes_uploaded"], stored_bytes(cluster, "data") + stored_bytes(cluster, "json"));
  EXPECT_EQ(put["delete_requests"], 0);
  EXPECT_GE(put["list_requests"], 1) << "the coordinator lists the stored blobs";

  auto again = run_op_over_http(cluster, "/backup");
  ASSERT_EQ(again["state"], "done") << again.dump();
  EXPECT_EQ(again["storage_traffic"]["local"]["put_requests"], 1) << "nothing changed: only a manifest";

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  auto restore = run_op_over_http(cluster, "/restore", "{}");
  ASSERT_EQ(restore["state"], "done") << restore.dump();
  const auto& get = restore["storage_traffic"]["local"];
  EXPECT_EQ(get["put_requests"], 0);
  EXPECT_GE(get["get_requests"], blobs) << "every blob is fetched: " << restore.dump();
  EXPECT_GE(get["bytes_downloaded"], stored_bytes(cluster, "data"));

  auto cleanup = run_op_over_http(cluster, "/cleanup",
                                  R"({"retention":{"minimum_backups":0,"maximum_backups":0}})");
  ASSERT_EQ(cleanup["state"], "done") << cleanup.dump();
  EXPECT_EQ(cleanup["storage_traffic"]["local"]["delete_requests"], blobs + 2)
      << "two manifests and every blob: " << cleanup.dump();
  EXPECT_TRUE(cluster.stored_objects("data").empty());
}

// With packing, nodes store small blobs during the snapshot: that traffic counts too.
TEST(SystemTraffic, PackedBackupCountsWhatTheSnapshotsStored) {
  TestCluster cluster;
  for (size_t i = 0; i < cluster.size(); ++i) {
    nlohmann::json config = cluster.config(i);
    config["object_storage"]["pack_small_blobs"] = true;
    cluster.write_config(i, config);
  }
  fill_sample_data(cluster);
  cluster.start();
  auto backup = run_op_over_http(cluster, "/backup");
  ASSERT_EQ(backup["state"], "done") << backup.dump();
  ASSERT_FALSE(cluster.stored_objects("pack").empty());
  EXPECT_EQ(backup["storage_traffic"]["local"]["bytes_uploaded"],
            stored_bytes(cluster, "data") + stored_bytes(cluster, "json") + stored_bytes(cluster, "pack"))
      << backup.dump();
}

}  // namespace
}  // namespace astacus::testing

// A real 3-node astacus cluster whose only storage is a bucket of the GCS stand-in: backup,
// list, wipe, restore, byte-identical trees; blobs and the manifest are checked in the bucket.
#include <gtest/gtest.h>

#include <set>

#include "codec/blake2s.h"
#include "gcs_stand_in_process.h"
#include "helpers.h"
#include "storage/gcs/gcs_backend.h"

namespace astacus::testing {
namespace {

constexpr const char* kBucket = "astacus-backups";
constexpr const char* kPrefix = "cluster-1";

void use_gcs_storage(TestCluster& cluster, const GcsStandIn& server) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    nlohmann::json config = cluster.config(i);
    config["object_storage"]["default_storage"] = "gcs";
    config["object_storage"]["storages"] = {{"gcs", server.storage_json(kBucket, kPrefix)}};
    cluster.write_config(i, config);
  }
}

std::set<std::string> sorted_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(GcsStandInSystem, ThreeNodeClusterBacksUpToTheStandInAndRestoresByteIdentical) {
  GcsStandIn server({{kBucket}});
  TestCluster cluster;
  use_gcs_storage(cluster, server);
  fill_sample_data(cluster);
  // Bigger than the 8 MiB upload chunk: a resumable upload of two chunks.
  write_file(cluster.root(0) / "big/random-11m.bin", random_bytes(11 * 1024 * 1024, 77), 1700000000999999999);
  auto expected = expected_backup(cluster);
  cluster.start();

  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto list = cluster.cli({"list"});
  expect_ok(list, "list");
  EXPECT_NE(list.out.find("| gcs "), std::string::npos) << list.out;
  EXPECT_TRUE(cluster.stored_objects("json").empty()) << "nothing may land in the local storage dir";

  auto bucket = storage::make_gcs_backend("gcs", server.site_config(kBucket, kPrefix));
  ASSERT_TRUE(bucket) << bucket.error().message;
  auto jsons = (*bucket)->list("json");
  ASSERT_TRUE(jsons) << jsons.error().message;
  ASSERT_EQ(jsons->size(), 1u);
  EXPECT_TRUE(jsons->front().starts_with("backup-")) << jsons->front();
  EXPECT_NE(list.out.find(jsons->front().substr(std::string("backup-").size())), std::string::npos) << list.out;
  auto blobs = (*bucket)->list("data");
  ASSERT_TRUE(blobs) << blobs.error().message;
  EXPECT_EQ(sorted_set(*blobs), expected.blob_digests);
  auto manifest = (*bucket)->get("json/" + jsons->front());
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(storage::metadata_value(manifest->metadata, "compression-algorithm"), "zstd");
  auto stats = server.stats();
  EXPECT_EQ(stats["unauthorized"], 0);
  EXPECT_GE(stats["tokens_issued"], 3);  // at least one per node

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore"}, 1), "restore");
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(read_tree(cluster.root(i)), expected.trees[i]) << "node " << i;
  }
}

}  // namespace
}  // namespace astacus::testing

// A real 3-node astacus cluster whose only storage is an s3rver bucket: backup, list, wipe,
// restore, byte-identical trees; the blobs and the manifest are checked in the bucket itself.
#include <gtest/gtest.h>

#include <set>

#include "codec/blake2s.h"
#include "helpers.h"
#include "storage/s3/s3_backend.h"
#include "support/services.h"

namespace astacus::testing {
namespace {

constexpr const char* kBucket = "astacus-backups";
constexpr const char* kPrefix = "cluster-1";

void use_s3_storage(TestCluster& cluster, const S3rver& server) {
  nlohmann::json site = server.storage_json(kBucket, kPrefix);
  site["segment_size"] = 5 * 1024 * 1024;
  for (size_t i = 0; i < cluster.size(); ++i) {
    nlohmann::json config = cluster.config(i);
    config["object_storage"]["default_storage"] = "s3";
    config["object_storage"]["storages"] = {{"s3", site}};
    cluster.write_config(i, config);
  }
}

std::set<std::string> sorted_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(S3System, ThreeNodeClusterBacksUpToS3AndRestoresByteIdentical) {
  S3rver server({kBucket});
  TestCluster cluster;
  use_s3_storage(cluster, server);
  fill_sample_data(cluster);
  // Bigger than segment_size: uploaded in parts.
  write_file(cluster.root(0) / "big/random-11m.bin", random_bytes(11 * 1024 * 1024, 77), 1700000000999999999);
  auto expected = expected_backup(cluster);
  cluster.start();

  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto list = cluster.cli({"list"});
  expect_ok(list, "list");
  EXPECT_NE(list.out.find("| s3 "), std::string::npos) << list.out;
  EXPECT_TRUE(cluster.stored_objects("json").empty()) << "nothing may land in the local storage dir";

  auto bucket = storage::make_s3_backend("s3", server.site_config(kBucket, kPrefix));
  ASSERT_TRUE(bucket) << bucket.error().message;
  auto jsons = (*bucket)->list("json");
  ASSERT_TRUE(jsons) << jsons.error().message;
  ASSERT_EQ(jsons->size(), 1u);
  EXPECT_TRUE(jsons->front().starts_with("backup-")) << jsons->front();
  EXPECT_NE(jsons->front().find("+00:00"), std::string::npos) << jsons->front();
  auto blobs = (*bucket)->list("data");
  ASSERT_TRUE(blobs) << blobs.error().message;
  EXPECT_EQ(sorted_set(*blobs), expected.blob_digests);
  auto manifest = (*bucket)->get("json/" + jsons->front());
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(storage::metadata_value(manifest->metadata, "compression-algorithm"), "zstd");

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore"}, 1), "restore");
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(read_tree(cluster.root(i)), expected.trees[i]) << "node " << i;
  }
}

// object_storage.pack_small_blobs on S3: the small blobs land in pack objects, restores read
// them back with ranged GETs, and deleting the only backup leaves no pack behind.
TEST(S3System, PackedSmallBlobsRestoreByteIdenticalAndGoWithTheirBackup) {
  S3rver server({kBucket});
  TestCluster cluster;
  use_s3_storage(cluster, server);
  for (size_t i = 0; i < cluster.size(); ++i) {
    nlohmann::json config = cluster.config(i);
    config["object_storage"]["pack_small_blobs"] = true;
    cluster.write_config(i, config);
  }
  fill_sample_data(cluster);
  auto expected = expected_backup(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");

  auto bucket = storage::make_s3_backend("s3", server.site_config(kBucket, kPrefix));
  ASSERT_TRUE(bucket) << bucket.error().message;
  auto loose = (*bucket)->list("data");
  ASSERT_TRUE(loose) << loose.error().message;
  EXPECT_EQ(loose->size(), 2u) << "only random-3m and random-2m are over 256 KiB";
  auto packs = (*bucket)->list("pack");
  ASSERT_TRUE(packs) << packs.error().message;
  EXPECT_GE(packs->size(), 2u) << "at least one pack and its index";

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore"}, 1), "restore");
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(read_tree(cluster.root(i)), expected.trees[i]) << "node " << i;
  }

  auto jsons = (*bucket)->list("json");
  ASSERT_TRUE(jsons && jsons->size() == 1u);
  expect_ok(cluster.cli({"-w", "60", "delete", "--backups", jsons->front()}), "delete");
  EXPECT_TRUE((*bucket)->list("pack").value().empty());
  EXPECT_TRUE((*bucket)->list("data").value().empty());
}

}  // namespace
}  // namespace astacus::testing

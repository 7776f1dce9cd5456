// Packed small blobs (object_storage.pack_small_blobs) through the CLI of a real 3-node cluster:
// what lands in the local storage, byte-identical restores, cleanup removing whole packs, and
// packed backups restoring after packing is turned off again.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/files.h"

#include "codec/blake2s.h"
#include "helpers.h"
#include "http/client.h"
#include "storage/local/local_backend.h"
#include "storage/pack/pack_listing.h"

namespace astacus::testing {
namespace {

void set_packing(TestCluster& cluster, bool on) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    nlohmann::json config = cluster.config(i);
    config["object_storage"]["pack_small_blobs"] = on;
    cluster.write_config(i, config);
  }
}

// Blob names held by each complete pack of the cluster's local storage, by pack id.
std::map<std::string, std::set<std::string>> packs_of(const TestCluster& cluster) {
  storage::LocalBackend backend(cluster.storage_dir(), "");
  std::map<std::string, std::set<std::string>> out;
  auto listed = storage::pack::for_each_index(backend, [&](const std::string& id, const storage::pack::Index& index) {
    for (const auto& entry : index.entries) out[id].insert(storage::pack::hex_of(entry.digest));
    return ok();
  });
  EXPECT_TRUE(listed) << listed.error().message;
  return out;
}

std::set<std::string> packed_blobs(const TestCluster& cluster) {
  std::set<std::string> out;
  for (const auto& [id, blobs] : packs_of(cluster)) out.insert(blobs.begin(), blobs.end());
  return out;
}

// Files of 1-4 KiB under `dir` of node 0 (distinct contents from `seed`).
void write_small_files(TestCluster& cluster, const std::string& dir, int count, uint64_t seed) {
  for (int i = 0; i < count; ++i) {
    write_file(cluster.root(0) / dir / ("f" + std::to_string(i) + ".bin"),
               random_bytes(1000 + static_cast<size_t>(i) * 97 % 3000, seed + static_cast<uint64_t>(i)),
               1700000000000000000 + i);
  }
}

TEST(SystemPacks, SmallBlobsArePackedRestoredByteIdenticalAndBigOnesStayLoose) {
  TestCluster cluster;
  set_packing(cluster, true);
  fill_sample_data(cluster);
  write_small_files(cluster, "many", 300, 1000);
  auto expected = expected_backup(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");

  // Only the blobs over 256 KiB (random-3m, random-2m) are objects of their own.
  std::set<std::string> loose;
  for (const auto& name : cluster.stored_objects("data")) loose.insert(name);
  EXPECT_EQ(loose, (std::set<std::string>{codec::blake2s_hex(read_tree(cluster.root(0)).at("big/random-3m.bin").content),
                                          codec::blake2s_hex(read_tree(cluster.root(1)).at("big/random-2m.bin").content)}));
  auto packs = packs_of(cluster);
  EXPECT_GE(packs.size(), 1u);
  EXPECT_LE(packs.size(), cluster.size()) << "one pack per uploading node at most";
  std::set<std::string> stored = packed_blobs(cluster);
  stored.insert(loose.begin(), loose.end());
  EXPECT_EQ(stored, expected.blob_digests) << "every blob stored exactly once, packed or loose";

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore"}, 2), "restore");
  for (size_t i = 0; i < cluster.size(); ++i) EXPECT_EQ(read_tree(cluster.root(i)), expected.trees[i]) << "node " << i;
}

TEST(SystemPacks, CleanupRemovesAPackOnceNoKeptBackupNeedsAnyOfItsBlobs) {
  TestCluster cluster;
  set_packing(cluster, true);
  fill_sample_data(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 1");
  auto packs_1 = packs_of(cluster);

  // Backup 2 uploads only these files: node 0 writes them into one new pack.
  write_small_files(cluster, "only-in-2", 50, 2000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 2");
  auto packs_2 = packs_of(cluster);
  ASSERT_EQ(packs_2.size(), packs_1.size() + 1);
  std::string pack_2;
  for (const auto& [id, blobs] : packs_2) {
    if (!packs_1.contains(id)) pack_2 = id;
  }
  EXPECT_EQ(packs_2.at(pack_2).size(), 50u);

  std::filesystem::remove_all(cluster.root(0) / "only-in-2");
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 3");
  auto manifests = cluster.stored_objects("json");
  ASSERT_EQ(manifests.size(), 3u);
  EXPECT_EQ(packs_of(cluster), packs_2) << "backup 3 stored nothing new";

  expect_ok(cluster.cli({"-w", "60", "delete", "--backups", manifests[1]}), "delete backup 2");
  EXPECT_EQ(packs_of(cluster), packs_1) << "backup 2's pack is gone, the others stay";
  EXPECT_FALSE(std::filesystem::exists(cluster.storage_dir() / "pack" / pack_2));
  EXPECT_FALSE(std::filesystem::exists(cluster.storage_dir() / "pack" / (pack_2 + ".idx")));

  // Backups 1 and 3 still restore completely.
  auto expected = expected_backup(cluster);
  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore", "--backup", manifests[0]}), "restore backup 1");
  for (size_t i = 0; i < cluster.size(); ++i) EXPECT_EQ(read_tree(cluster.root(i)), expected.trees[i]) << "node " << i;
}

// POSTs a node op to node `i` and waits for its final status.
nlohmann::json run_node_op(const TestCluster& cluster, size_t i, const std::string& op, const nlohmann::json& body) {
  auto start = http::request("POST", cluster.url(i) + "/node/" + op, {std::chrono::seconds(10), body.dump()});
  EXPECT_TRUE(start && start->status == 200) << op << ": " << (start ? start->body : start.error().message);
  if (!start || start->status != 200) return {};
  auto status_url = nlohmann::json::parse(start->body)["status_url"].get<std::string>();
  for (int tries = 0; tries < 600; ++tries) {
    auto r = http::request("GET", status_url);
    if (!r) return {};
    auto status = nlohmann::json::parse(r->body);
    if (status.contains("progress") && status["progress"]["final"] == true) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << op << " did not finish";
  return {};
}

TEST(SystemPacks, ASnapshotForAPackingSiteStoresNewSmallFilesAsItReadsThemAndTheUploadReadsThemNoMore) {
  TestCluster cluster;
  set_packing(cluster, true);
  write_small_files(cluster, "settled", 40, 5000);
  std::string fresh = random_bytes(3000, 99);  // written just now: left to the upload
  write_file(cluster.root(0) / "fresh.bin", fresh, wall_clock_ns());
  cluster.start();
  auto lock = http::request("POST", cluster.url(0) + "/node/lock?locker=test&ttl=60");
  ASSERT_TRUE(lock && lock->status == 200);

  nlohmann::json groups = nlohmann::json::array({{{"root_glob", "**"}}});
  auto snapshot = run_node_op(cluster, 0, "snapshot", {{"groups", groups}, {"store_small_blobs_to", "local"}});
  ASSERT_EQ(snapshot["progress"]["failed"], 0) << snapshot.dump();
  std::set<std::string> settled;
  auto tree = read_tree(cluster.root(0));
  for (const auto& [rel, state] : tree) {
    if (rel != "fresh.bin") settled.insert(codec::blake2s_hex(state.content));
  }
  EXPECT_EQ(packed_blobs(cluster), settled) << "stored by the snapshot, before any upload";
  EXPECT_TRUE(cluster.stored_objects("data").empty());

  // The upload of every blob stores only the fresh one, and reports all of them.
  nlohmann::json hashes = snapshot["hashes"];
  ASSERT_EQ(hashes.size(), 41u);
  // Without their link copies these could not be uploaded again: the upload must not need them.
  std::filesystem::path links = cluster.config(0)["node"]["root_link"].get<std::string>();
  for (const auto& path : {"settled/f0.bin", "settled/f1.bin"}) ASSERT_TRUE(std::filesystem::remove(links / path));
  auto upload = run_node_op(cluster, 0, "upload", {{"hashes", hashes}, {"storage", "local"}});
  ASSERT_EQ(upload["progress"]["failed"], 0) << upload.dump();
  int64_t total = 0;
  for (const auto& h : hashes) total += h["size"].get<int64_t>();
  EXPECT_EQ(upload["total_size"], total);
  settled.insert(codec::blake2s_hex(fresh));
  EXPECT_EQ(packed_blobs(cluster), settled);
  size_t entries = 0;
  for (const auto& [id, blobs] : packs_of(cluster)) entries += blobs.size();
  EXPECT_EQ(entries, settled.size()) << "no blob stored twice";

  // A snapshot that names no site stores nothing.
  write_small_files(cluster, "later", 5, 6000);
  auto later = run_node_op(cluster, 0, "snapshot", {{"groups", groups}});
  ASSERT_EQ(later["progress"]["failed"], 0) << later.dump();
  EXPECT_EQ(packed_blobs(cluster), settled);
  ignore_error(http::request("POST", cluster.url(0) + "/node/unlock?locker=test"), "test cleanup");
}

// A node whose snapshot DB is gone (a replaced node, or one restored from a backup) hashes every
// file again; what storage has already is not stored a second time.
TEST(SystemPacks, AfterTheSnapshotDbsAreLostTheNextBackupStoresNoBlobAgain) {
  TestCluster cluster;
  set_packing(cluster, true);
  fill_sample_data(cluster);
  write_small_files(cluster, "many", 200, 8000);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 1");
  auto packs_1 = packs_of(cluster);
  auto loose_1 = cluster.stored_objects("data");

  for (size_t i = 0; i < cluster.size(); ++i) {
    cluster.stop_node(i);
    std::filesystem::remove_all(cluster.config(i)["node"]["db_path"].get<std::string>());
  }
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup 2, every file hashed again");
  EXPECT_EQ(packs_of(cluster), packs_1) << "no pack added";
  EXPECT_EQ(cluster.stored_objects("data"), loose_1);
}

TEST(SystemPacks, PackedBackupsRestoreAfterPackingIsTurnedOffAndNewBlobsGoLoose) {
  TestCluster cluster;
  set_packing(cluster, true);
  fill_sample_data(cluster);
  auto expected_1 = expected_backup(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "packed backup");
  auto packed = packed_blobs(cluster);
  ASSERT_FALSE(packed.empty());

  for (size_t i = 0; i < cluster.size(); ++i) cluster.stop_node(i);
  set_packing(cluster, false);
  cluster.start();
  std::string fresh = random_bytes(5000, 77);
  write_file(cluster.root(1) / "fresh.bin", fresh, 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "loose backup");
  EXPECT_EQ(packed_blobs(cluster), packed) << "nothing new was packed";
  auto loose = cluster.stored_objects("data");
  EXPECT_NE(std::find(loose.begin(), loose.end(), codec::blake2s_hex(fresh)), loose.end())
      << "the new small blob is a loose object again";
  auto expected_2 = expected_backup(cluster);

  auto manifests = cluster.stored_objects("json");
  ASSERT_EQ(manifests.size(), 2u);
  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore", "--backup", manifests[0]}), "restore the packed backup");
  for (size_t i = 0; i < cluster.size(); ++i) EXPECT_EQ(read_tree(cluster.root(i)), expected_1.trees[i]) << "node " << i;
  expect_ok(cluster.cli({"-w", "60", "restore", "--backup", manifests[1]}), "restore the mixed backup");
  for (size_t i = 0; i < cluster.size(); ++i) EXPECT_EQ(read_tree(cluster.root(i)), expected_2.trees[i]) << "node " << i;
}

}  // namespace
}  // namespace astacus::testing

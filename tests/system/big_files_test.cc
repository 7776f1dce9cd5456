// Files bigger than the streaming threshold (2 MiB): they pass through bounded buffers on
// backup and restore, come back byte-identical, and a corrupt one changes nothing on disk.
#include <gtest/gtest.h>

#include <fstream>

#include "helpers.h"
#include "http/client.h"
#include "storage/object_store.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMiB = size_t{1} << 20;

// Peak resident memory of a process so far (VmHWM), in bytes.
uint64_t peak_rss(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

std::string text_like(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "sstable row " + std::to_string(i * 7919 % 100003) + " value\n";
  s.resize(n);
  return s;
}

bool has_temp_files(const fs::path& root) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().filename().string().find(".astacus.tmp") != std::string::npos) return true;
  }
  return false;
}

TEST(SystemBigFiles, StreamedThroughBoundedMemoryAndRestoredByteIdentical) {
  TestCluster cluster({.nodes = 1});
  const std::string big = random_bytes(96 * kMiB, 7);
  write_file(cluster.root(0) / "sstables/big-Data.db", big, 1700000000000000001);
  write_file(cluster.root(0) / "copy/same-content.db", big, 1700000000000000002);  // one blob, two files
  write_file(cluster.root(0) / "sstables/text-Data.db", text_like(20 * kMiB), 1700000000000000003);
  write_file(cluster.root(0) / "small.txt", "small", 1700000000000000004);
  const TreeState before = read_tree(cluster.root(0));
  cluster.start();

  expect_ok(cluster.cli({"-w", "120", "backup"}), "backup");
  EXPECT_EQ(cluster.stored_objects("data").size(), 2u) << "the two big copies share one blob";
  wipe(cluster.root(0));
  expect_ok(cluster.cli({"-w", "120", "restore"}), "restore");
  EXPECT_EQ(read_tree(cluster.root(0)), before);
  EXPECT_FALSE(has_temp_files(cluster.root(0)));

  // Holding the 96 MiB file whole (plus its compressed copy) would need twice that.
  uint64_t peak = peak_rss(cluster.server(0).pid());
  ASSERT_GT(peak, 0u);
  EXPECT_LT(peak, 96 * kMiB) << "server peak RSS " << peak / kMiB << " MiB for a 96 MiB file";
}

TEST(SystemBigFiles, CorruptBigBlobFailsRestoreNamingItAndLeavesNoTrace) {
  TestCluster cluster({.nodes = 1});
  write_file(cluster.root(0) / "big.db", random_bytes(12 * kMiB, 1), 1700000000000000000);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto blobs = cluster.stored_objects("data");
  ASSERT_EQ(blobs.size(), 1u);

  // A well-formed object of the same size but other content: only the hash check can see it.
  config::ObjectStorageConfig config;
  config.default_storage = "local";
  config.storages["local"] = config::LocalStorageConfig{cluster.storage_dir().string(), ""};
  config.compression.algorithm = "zstd";
  auto store = storage::ObjectStore::open(config, "local");
  ASSERT_TRUE(store);
  auto encoded = (*store)->encode(random_bytes(12 * kMiB, 2));
  ASSERT_TRUE(encoded);
  ASSERT_TRUE((*store)->backend().put("data/" + blobs[0], encoded->data, encoded->metadata));

  write_file(cluster.root(0) / "big.db", "local edit", 1800000000000000000);
  auto r = cluster.cli({"-w", "60", "restore"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(blobs[0]), std::string::npos) << "the CLI names the corrupt blob: " << r.err;
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
  EXPECT_EQ(read_tree(cluster.root(0)).at("big.db").content, "local edit");
  EXPECT_FALSE(has_temp_files(cluster.root(0))) << "the streamed temp file is removed";

  // A truncated object fails in the decoder: same outcome.
  std::string cut = encoded->data.substr(0, encoded->data.size() / 2);
  ASSERT_TRUE((*store)->backend().put("data/" + blobs[0], cut, encoded->metadata));
  r = cluster.cli({"-w", "60", "restore"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(blobs[0]), std::string::npos) << r.err;
  EXPECT_EQ(read_tree(cluster.root(0)).at("big.db").content, "local edit");
  EXPECT_FALSE(has_temp_files(cluster.root(0)));
}

}  // namespace
}  // namespace astacus::testing

// End-to-end: a real 3-node cluster backs up, lists, restores, through the CLI.
#include <gtest/gtest.h>

#include <filesystem>

#include "helpers.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;

std::vector<TreeState> read_all(TestCluster& cluster) {
  std::vector<TreeState> trees;
  for (size_t i = 0; i < cluster.size(); ++i) trees.push_back(read_tree(cluster.root(i)));
  return trees;
}

TreeState without(TreeState tree, const std::string& path) {
  tree.erase(path);
  return tree;
}

TEST(SystemBackupRestore, WipedRootsComeBackByteIdenticalWithMtimes) {
  TestCluster cluster;
  fill_sample_data(cluster);
  auto before = read_all(cluster);
  cluster.start();

  auto backup = cluster.cli({"-w", "60", "backup"});
  expect_ok(backup, "backup");
  EXPECT_NE(backup.out.find("Starting backup.."), std::string::npos);
  EXPECT_NE(backup.out.find(".. which took"), std::string::npos);
  ASSERT_EQ(cluster.stored_objects("json").size(), 1u);

  auto list = cluster.cli({"list"});
  expect_ok(list, "list");
  EXPECT_NE(list.out.find("| local "), std::string::npos) << list.out;

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  auto restore = cluster.cli({"-w", "60", "restore"}, 1);
  expect_ok(restore, "restore");

  auto after = read_all(cluster);
  EXPECT_EQ(after[0], before[0]);
  EXPECT_EQ(after[1], without(before[1], ".hidden"));  // `**` does not match dot files
  EXPECT_EQ(after[2], before[2]);
}

TEST(SystemBackupRestore, RestoreRemovesNewMatchingFilesKeepsOthersAndSkipsUnchanged) {
  TestCluster cluster;
  fill_sample_data(cluster);
  auto before = read_all(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");

  auto& r0 = cluster.root(0);
  write_file(r0 / "created-after-backup.txt", random_bytes(5000, 99), 1800000000000000000);
  write_file(r0 / "size201.bin", random_bytes(201, 42), 1800000000000000000);  // changed
  write_file(r0 / ".dotfile-not-in-globs", "keep me", 1800000000000000000);
  auto unchanged_inode = read_tree(r0).at("big/random-3m.bin").inode;

  expect_ok(cluster.cli({"-w", "60", "restore"}), "restore");
  auto after = read_tree(r0);
  EXPECT_EQ(after.count("created-after-backup.txt"), 0u);
  EXPECT_EQ(after.at("size201.bin"), before[0].at("size201.bin"));
  ASSERT_EQ(after.count(".dotfile-not-in-globs"), 1u);
  EXPECT_EQ(after.at(".dotfile-not-in-globs").content, "keep me");
  EXPECT_EQ(after.at("big/random-3m.bin").inode, unchanged_inode) << "unchanged file was rewritten";
  EXPECT_EQ(without(after, ".dotfile-not-in-globs"), before[0]);
}

TEST(SystemBackupRestore, RestoreOfNamedOlderBackup) {
  TestCluster cluster;
  fill_sample_data(cluster);
  auto first = read_all(cluster);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "first backup");
  write_file(cluster.root(0) / "later.bin", random_bytes(10000, 11), 1800000000000000000);
  expect_ok(cluster.cli({"-w", "60", "backup"}), "second backup");
  auto names = cluster.stored_objects("json");
  ASSERT_EQ(names.size(), 2u) << "two backups in the same second must not overwrite each other";

  // Without the backup- prefix, as `list` prints it.
  expect_ok(cluster.cli({"-w", "60", "restore", "--backup", names[0].substr(7)}), "restore first");
  EXPECT_EQ(read_tree(cluster.root(0)), first[0]);
}

}  // namespace
}  // namespace astacus::testing

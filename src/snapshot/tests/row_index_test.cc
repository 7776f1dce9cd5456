// RowIndex: the snapshot's DB rows sorted by path, found by a forward cursor or a search.
#include "snapshot/row_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace astacus::snapshot::internal {
namespace {

FileRow row(const std::string& rel, int64_t inode) {
  FileRow r;
  r.file.relative_path = rel;
  r.inode = inode;
  return r;
}

std::vector<std::string> held(const RowIndex& index) {
  std::vector<std::string> out;
  index.for_each([&](const FileRow& r) { out.push_back(r.file.relative_path); });
  return out;
}

TEST(RowIndex, FindsRowsInAnyOrderOfQueries) {
  std::vector<FileRow> rows;
  for (int i = 0; i < 200; ++i) rows.push_back(row("d" + std::to_string(i % 7) + "/f" + std::to_string(i), i));
  std::vector<FileRow> shuffled = rows;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(1));
  RowIndex index(std::move(shuffled));
  EXPECT_EQ(index.size(), 200u);
  std::vector<std::string> paths = held(index);
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  // Ascending (the visit), then random order (forget of vanished files), then missing names.
  for (const auto& p : paths) {
    FileRow* found = index.find(p);
    ASSERT_NE(found, nullptr) << p;
    EXPECT_EQ(found->file.relative_path, p);
  }
  std::vector<std::string> random = paths;
  std::shuffle(random.begin(), random.end(), std::mt19937(2));
  for (const auto& p : random) ASSERT_NE(index.find(p), nullptr) << p;
  EXPECT_EQ(index.find("d0/f"), nullptr);
  EXPECT_EQ(index.find("zzz"), nullptr);
  EXPECT_EQ(index.find(""), nullptr);
}

TEST(RowIndex, ErasedAndTakenRowsAreGone) {
  RowIndex index({row("b", 2), row("a", 1), row("c", 3), row("a/x", 4)});
  EXPECT_EQ(held(index), (std::vector<std::string>{"a", "a/x", "b", "c"}));
  EXPECT_TRUE(index.erase("b"));
  EXPECT_FALSE(index.erase("b"));
  EXPECT_FALSE(index.erase("nope"));
  FileRow* c = index.find("c");
  ASSERT_NE(c, nullptr);
  FileRow* taken = index.take(c);
  EXPECT_EQ(taken->file.relative_path, "c");
  EXPECT_EQ(taken->inode, 3);
  EXPECT_EQ(index.find("c"), nullptr);
  EXPECT_EQ(index.find("a")->inode, 1);  // a step back after the cursor moved on
  EXPECT_EQ(held(index), (std::vector<std::string>{"a", "a/x"}));
  EXPECT_EQ(index.size(), 2u);
}

}  // namespace
}  // namespace astacus::snapshot::internal

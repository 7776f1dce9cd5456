// RowIndex: the snapshot's DB rows sorted by path, found through a table by path in any order;
// the walks mark them seen, the kept ones become the snapshot's result in place.
#include "snapshot/row_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace astacus::snapshot::internal {
namespace {

LoadedRows rows_of(const std::vector<std::pair<std::string, int64_t>>& paths_and_inodes) {
  LoadedRows rows;
  for (const auto& [rel, inode] : paths_and_inodes) {
    manifest::SnapshotFile file;
    file.relative_path = rel;
    file.file_size = inode * 10;  // ties each file to its inode, to check they move together
    rows.files.push_back(file);
    rows.inodes.push_back(inode);
  }
  return rows;
}

std::vector<std::string> held(const RowIndex& index) {
  std::vector<std::string> out;
  index.for_each([&](const manifest::SnapshotFile& f) { out.push_back(f.relative_path); });
  return out;
}

std::vector<std::string> paths(const std::vector<manifest::SnapshotFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.relative_path);
  return out;
}

TEST(RowIndex, FindsRowsInAnyOrderOfQueriesWithTheirOwnInodes) {
  std::vector<std::pair<std::string, int64_t>> list;
  for (int i = 0; i < 200; ++i) list.emplace_back("d" + std::to_string(i % 7) + "/f" + std::to_string(i), i);
  std::shuffle(list.begin(), list.end(), std::mt19937(1));
  RowIndex index(rows_of(list));
  EXPECT_EQ(index.size(), 200u);
  std::vector<std::string> sorted = held(index);
  EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end()));
  // Ascending (the visit), then random order (forget of vanished files), then missing names.
  for (const auto& p : sorted) {
    size_t found = index.find(p);
    ASSERT_NE(found, RowIndex::kNone) << p;
    EXPECT_EQ(index.file(found).relative_path, p);
    EXPECT_EQ(index.file(found).file_size, index.inode(found) * 10) << p;
    EXPECT_EQ(index.file(found).relative_path, "d" + std::to_string(index.inode(found) % 7) + "/f" +
                                                   std::to_string(index.inode(found)));
  }
  std::vector<std::string> random = sorted;
  std::shuffle(random.begin(), random.end(), std::mt19937(2));
  for (const auto& p : random) ASSERT_NE(index.find(p), RowIndex::kNone) << p;
  EXPECT_EQ(index.find("d0/f"), RowIndex::kNone);
  EXPECT_EQ(index.find("zzz"), RowIndex::kNone);
  EXPECT_EQ(index.find(""), RowIndex::kNone);
}

TEST(RowIndex, ErasedAndKeptRowsAreGoneAndTheKeptOnesAreTheResult) {
  RowIndex index(rows_of({{"b", 2}, {"a", 1}, {"c", 3}, {"a/x", 4}, {"a.txt", 5}}));
  EXPECT_EQ(held(index), (std::vector<std::string>{"a", "a.txt", "a/x", "b", "c"}));
  EXPECT_TRUE(index.erase("b"));
  EXPECT_FALSE(index.erase("b"));
  EXPECT_FALSE(index.erase("nope"));
  size_t c = index.find("c");
  ASSERT_NE(c, RowIndex::kNone);
  EXPECT_EQ(index.inode(c), 3);
  index.keep(c);
  EXPECT_EQ(index.find("c"), RowIndex::kNone);
  size_t a = index.find("a");  // a step back after the cursor moved on
  ASSERT_NE(a, RowIndex::kNone);
  EXPECT_EQ(index.inode(a), 1);
  index.keep(a);
  EXPECT_EQ(held(index), (std::vector<std::string>{"a.txt", "a/x"}));
  EXPECT_EQ(index.size(), 2u);
  auto kept = index.take_kept();
  EXPECT_EQ(paths(kept), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(kept[1].file_size, 30);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.find("a.txt"), RowIndex::kNone);
}

TEST(RowIndex, TakeKeptAgreesWithAFilterOnRandomRows) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::pair<std::string, int64_t>> list;
    int n = static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) list.emplace_back(std::to_string(rng() % 1000) + "/" + std::to_string(i), i);
    std::shuffle(list.begin(), list.end(), rng);
    RowIndex index(rows_of(list));
    std::vector<std::string> expected;
    for (const auto& p : held(index)) {
      size_t i = index.find(p);
      ASSERT_NE(i, RowIndex::kNone);
      switch (rng() % 3) {
        case 0: index.keep(i); expected.push_back(p); break;
        case 1: EXPECT_TRUE(index.erase(p)); break;
        default: break;  // changed: neither kept nor erased
      }
    }
    EXPECT_EQ(paths(index.take_kept()), expected) << "round " << round;
  }
}

TEST(RowIndex, WalksMarkRowsSeenAndTheUnseenOnesAreTheGoneFiles) {
  std::vector<std::pair<std::string, int64_t>> list;
  for (int i = 0; i < 5000; ++i) list.emplace_back("dir" + std::to_string(i % 13) + "/file" + std::to_string(i), i);
  std::shuffle(list.begin(), list.end(), std::mt19937(3));
  RowIndex index(rows_of(list));
  std::mt19937 rng(4);
  std::vector<std::string> unseen, unchanged;
  for (const auto& p : held(index)) {  // path order
    size_t i = index.lookup(p);
    ASSERT_NE(i, RowIndex::kNone) << p;
    EXPECT_EQ(index.file(i).relative_path, p);
    EXPECT_EQ(index.link_inode(i), RowIndex::kNoCopy);
    index.set_link_inode(i, index.inode(i) + 100);
    switch (rng() % 3) {
      case 0: unseen.push_back(p); break;
      case 1: index.mark_seen(i, true); unchanged.push_back(p); break;
      default: index.mark_seen(i, false); break;
    }
  }
  EXPECT_EQ(index.lookup("dir0/file"), RowIndex::kNone);
  EXPECT_EQ(index.lookup("dir1/file1/"), RowIndex::kNone);
  std::vector<std::string> got;
  index.for_each_unseen([&](size_t i) {
    got.push_back(index.file(i).relative_path);
    EXPECT_TRUE(index.erase(index.file(i).relative_path));  // as a snapshot forgets them
  });
  EXPECT_EQ(got, unseen);
  got.clear();
  index.for_each_seen_unchanged([&](size_t i) {
    got.push_back(index.file(i).relative_path);
    EXPECT_EQ(index.link_inode(i), index.inode(i) + 100);
    index.keep(i);
  });
  EXPECT_EQ(got, unchanged);
  // Erased and kept rows are still looked up (the link walk's view) but no longer found.
  size_t gone = index.lookup(unseen.front());
  ASSERT_NE(gone, RowIndex::kNone);
  EXPECT_EQ(index.find(unseen.front()), RowIndex::kNone);
  EXPECT_EQ(index.find(unchanged.front()), RowIndex::kNone);
  EXPECT_EQ(index.size(), 5000 - unseen.size() - unchanged.size());
  EXPECT_EQ(paths(index.take_kept()), unchanged);
}

TEST(RowIndex, FewKeptRowsDoNotKeepTheWholeArray) {
  std::vector<std::pair<std::string, int64_t>> list;
  for (int i = 0; i < 10000; ++i) list.emplace_back("f" + std::to_string(i), i);
  RowIndex index(rows_of(list));
  index.keep(index.find("f77"));
  auto kept = index.take_kept();
  ASSERT_EQ(paths(kept), std::vector<std::string>{"f77"});
  EXPECT_LT(kept.capacity(), 1000u);
}

TEST(RowIndex, AnEmptyIndexFindsNothing) {
  RowIndex index{LoadedRows{}};
  EXPECT_EQ(index.lookup("a"), RowIndex::kNone);
  EXPECT_EQ(index.find(""), RowIndex::kNone);
  EXPECT_TRUE(index.take_kept().empty());
}

}  // namespace
}  // namespace astacus::snapshot::internal

// LinkIndex: the link copies found when a snapshot starts, looked up by a forward cursor and
// marked as visited; the unvisited ones are the stale copies.
#include "snapshot/link_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace astacus::snapshot::internal {
namespace {

TEST(LinkIndex, VisitsEachCopyOnceAndLeavesTheRestAsStale) {
  std::mt19937 rng(4);
  for (int round = 0; round < 30; ++round) {
    std::map<std::string, int64_t> copies;  // sorted: the reference
    int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) copies[std::to_string(rng() % 50) + "/" + std::to_string(i) + (i % 2 ? ".db" : "")] = i + 1;
    std::vector<std::pair<std::string, int64_t>> shuffled(copies.begin(), copies.end());
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    LinkIndex index;
    for (const auto& [rel, inode] : shuffled) index.add(rel, inode);
    index.sort();
    ASSERT_EQ(index.size(), copies.size());

    std::set<std::string> visited;
    for (const auto& [rel, inode] : copies) {  // ascending, like the visits; some skipped
      if (rng() % 3 == 0) continue;
      ASSERT_EQ(index.visit(rel), inode) << rel;
      visited.insert(rel);
      EXPECT_EQ(index.visit(rel), LinkIndex::kVisited) << "a second visit finds it visited";
    }
    EXPECT_EQ(index.visit("no/such/copy"), LinkIndex::kVisited);
    EXPECT_EQ(index.visit(""), LinkIndex::kVisited);
    std::vector<std::string> stale, expected;
    index.for_each_unvisited([&](const std::string& rel) { stale.push_back(rel); });
    for (const auto& [rel, inode] : copies) {
      if (!visited.count(rel)) expected.push_back(rel);
    }
    EXPECT_EQ(stale, expected) << "round " << round;
  }
}

}  // namespace
}  // namespace astacus::snapshot::internal

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "coordinator/upload_plan.h"

namespace astacus::coordinator {
namespace {

using manifest::SnapshotHash;

SnapshotHash h(const char* hexdigest, int64_t size) { return SnapshotHash{hexdigest, size}; }

TEST(UploadPlan, SpecExample) {  // §6.5, Python tests/unit/coordinator/test_backup.py
  std::vector<std::vector<SnapshotHash>> nodes = {
      {},
      {h("1-1", 1), h("12-2", 2), h("123-3", 3)},
      {h("2-1", 1), h("12-2", 2), h("23-2", 2), h("123-3", 3)},
      {h("3-1", 1), h("23-2", 2), h("123-3", 3)},
  };
  auto plan = build_node_index_datas(nodes, {"2-1"});
  std::vector<NodeIndexData> expected = {
      {1, {h("1-1", 1), h("123-3", 3)}, 4},
      {2, {h("12-2", 2)}, 2},
      {3, {h("3-1", 1), h("23-2", 2)}, 3},
  };
  EXPECT_EQ(plan, expected);
}

TEST(UploadPlan, RarerBlobsFirstThenLeastLoaded) {  // spec appendix A
  std::vector<std::vector<SnapshotHash>> nodes = {{h("big", 5000), h("big2", 3000)},
                                                  {h("big", 5000)}};
  auto plan = build_node_index_datas(nodes, {});
  std::vector<NodeIndexData> expected = {{0, {h("big2", 3000)}, 3000}, {1, {h("big", 5000)}, 5000}};
  EXPECT_EQ(plan, expected);
}

TEST(UploadPlan, EachBlobOnceAndStoredOnesSkipped) {
  std::vector<std::vector<SnapshotHash>> nodes = {{h("x", 10), h("x", 10), h("y", 1)},
                                                  {h("x", 10)}};
  auto plan = build_node_index_datas(nodes, {});
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].hashes, (std::vector<SnapshotHash>{h("y", 1)}));
  EXPECT_EQ(plan[1].hashes, (std::vector<SnapshotHash>{h("x", 10)}));
  EXPECT_TRUE(build_node_index_datas(nodes, {"x", "y"}).empty());
  EXPECT_TRUE(build_node_index_datas(std::vector<std::vector<SnapshotHash>>{}, {}).empty());
}

TEST(UploadPlan, SnapshotResultsPlanLikeTheirHashLists) {
  std::vector<manifest::SnapshotResult> results(4);  // node 0 has no hashes at all
  results[1].hashes = std::vector<SnapshotHash>{h("1-1", 1), h("12-2", 2), h("123-3", 3)};
  results[2].hashes = std::vector<SnapshotHash>{h("2-1", 1), h("12-2", 2), h("23-2", 2), h("123-3", 3)};
  results[3].hashes = std::vector<SnapshotHash>{h("3-1", 1), h("23-2", 2), h("123-3", 3)};
  std::vector<NodeIndexData> expected = {
      {1, {h("1-1", 1), h("123-3", 3)}, 4},
      {2, {h("12-2", 2)}, 2},
      {3, {h("3-1", 1), h("23-2", 2)}, 3},
  };
  EXPECT_EQ(build_node_index_datas(results, {"2-1"}), expected);
}


/// The plan as Python builds it, written plainly: a list of distinct (hexdigest, size) in order
/// of first appearance with every entry's node, stably sorted, then assigned.
std::vector<NodeIndexData> reference_plan(const std::vector<std::vector<SnapshotHash>>& nodes,
                                          const std::vector<std::string>& stored) {
  std::vector<std::pair<SnapshotHash, std::vector<size_t>>> blobs;
  for (size_t node = 0; node < nodes.size(); ++node) {
    for (const auto& hash : nodes[node]) {
      if (std::find(stored.begin(), stored.end(), hash.hexdigest.str()) != stored.end()) continue;
      auto it = std::find_if(blobs.begin(), blobs.end(), [&](const auto& b) { return b.first == hash; });
      if (it == blobs.end()) it = blobs.insert(blobs.end(), {hash, {}});
      it->second.push_back(node);
    }
  }
  std::stable_sort(blobs.begin(), blobs.end(), [](const auto& a, const auto& b) {
    if (a.second.size() != b.second.size()) return a.second.size() < b.second.size();
    return a.first.size > b.first.size;
  });
  std::vector<NodeIndexData> datas(nodes.size());
  for (size_t i = 0; i < datas.size(); ++i) datas[i].node_index = i;
  for (const auto& [hash, holders] : blobs) {
    size_t best = *std::min_element(holders.begin(), holders.end(), [&](size_t a, size_t b) {
      return std::pair(datas[a].total_size, a) < std::pair(datas[b].total_size, b);
    });
    datas[best].hashes.push_back(hash);
    datas[best].total_size += hash.size;
  }
  std::erase_if(datas, [](const NodeIndexData& d) { return d.hashes.empty(); });
  return datas;
}

TEST(UploadPlan, AgreesWithAPlainReferenceOnRandomClusters) {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::vector<SnapshotHash>> nodes(1 + rng() % 5);
    for (auto& hashes : nodes) {
      for (size_t n = rng() % 40; n > 0; --n) {
        // Few digests and sizes: repeats within and across nodes, one digest with two sizes.
        hashes.push_back({fmt::format("{:064x}", rng() % 25), static_cast<int64_t>(1 + rng() % 3)});
      }
    }
    std::vector<std::string> stored;
    for (int i = 0; i < 25; ++i) {
      if (rng() % 4 == 0) stored.push_back(fmt::format("{:064x}", i));
    }
    HexdigestSet stored_set;
    for (const auto& s : stored) stored_set.insert(manifest::Hexdigest(s));
    ASSERT_EQ(build_node_index_datas(nodes, stored_set), reference_plan(nodes, stored)) << round;
  }
}

}  // namespace
}  // namespace astacus::coordinator

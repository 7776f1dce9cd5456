#include <gtest/gtest.h>

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

}  // namespace
}  // namespace astacus::coordinator

#include <gtest/gtest.h>

#include "coordinator/node_mapping.h"

namespace astacus::coordinator {
namespace {

using Mapping = std::vector<std::optional<size_t>>;
constexpr std::optional<size_t> kNone = std::nullopt;

std::vector<ClusterNode> nodes_in(const std::vector<std::string>& azs) {
  std::vector<ClusterNode> out;
  for (size_t i = 0; i < azs.size(); ++i)
    out.push_back({fmt::format("http://n{}/node", i), azs[i]});
  return out;
}

std::vector<manifest::SnapshotResult> backup_in(const std::vector<std::string>& azs) {
  std::vector<manifest::SnapshotResult> out(azs.size());
  for (size_t i = 0; i < azs.size(); ++i) {
    out[i].hostname = fmt::format("host{}", i);
    out[i].az = azs[i];
  }
  return out;
}

Result<Mapping> full(const std::vector<std::string>& node_azs,
                     const std::vector<std::string>& backup_azs) {
  return get_node_to_backup_index({}, backup_in(backup_azs), nodes_in(node_azs));
}

TEST(NodeMapping, AzExamples) {  // §8.4 / §12 case 40
  EXPECT_EQ(*full({"foo", "foo", "bar"}, {"1", "2", "2"}), (Mapping{1, 2, 0}));
  EXPECT_EQ(*full({"a", "bb", "bb", "ccc", "ccc", "ccc"}, {"1", "2", "2"}),
            (Mapping{kNone, 0, kNone, 1, 2, kNone}));
  EXPECT_EQ(*full({"a", "bb", "bb", "ccc", "ccc", "ccc"}, {"3", "3", "3", "1", "2", "2"}),
            (Mapping{3, 4, 5, 0, 1, 2}));
  EXPECT_EQ(*full({}, {}), Mapping{});
}

TEST(NodeMapping, InsufficientNodesOrAzs) {
  auto fewer = full({"foo", "foo"}, {"1", "2", "2"});
  ASSERT_FALSE(fewer);
  EXPECT_EQ(fewer.error().code, ErrorCode::kConflict);
  EXPECT_EQ(fewer.error().message,
            "insufficient nodes: 1 node(s) missing - unable to restore backup");
  auto azs = full({"foo", "foo", "foo"}, {"1", "2", "2"});
  ASSERT_FALSE(azs);
  EXPECT_EQ(azs.error().message, "insufficient AZs: 1 az(s) missing - unable to restore backup");
  auto group = full({"foo", "foo", "bar", "bar"}, {"1", "3", "3", "3"});
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().message,
            "insufficient nodes: AZ foo, to be restored from 3, is missing 1 nodes");
}

TEST(NodeMapping, PartialRestore) {
  auto nodes = nodes_in({"a", "a", "a"});
  auto backup = backup_in({"a", "a"});
  auto by_index = get_node_to_backup_index({{.backup_index = 1, .node_index = 0}}, backup, nodes);
  ASSERT_TRUE(by_index);
  EXPECT_EQ(*by_index, (Mapping{1, kNone, kNone}));
  auto by_name = get_node_to_backup_index(
      {{.backup_hostname = "host0", .node_url = "http://n2/node"}}, backup, nodes);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(*by_name, (Mapping{kNone, kNone, 0}));
}

TEST(NodeMapping, PartialRestoreValidation) {  // §12 case 41
  auto nodes = nodes_in({"a", "a"});
  auto backup = backup_in({"a"});
  std::vector<PartialRestoreNode> invalid = {
      {},
      {.backup_index = 0, .backup_hostname = "host0", .node_index = 0},
      {.backup_index = 0},
      {.backup_index = 0, .node_index = 0, .node_url = "http://n0/node"},
  };
  for (const auto& entry : invalid) {
    EXPECT_FALSE(validate_partial_restore_node(entry));
    auto r = get_node_to_backup_index({entry}, backup, nodes);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(validate_partial_restore_node({}).error().message,
            "Exactly one of backup_index or backup_hostname supported");
  std::vector<std::pair<PartialRestoreNode, std::string>> not_found = {
      {{.backup_index = 1, .node_index = 0},
       "Invalid backup_index in partial restore: Must be 0 <= 1 < 1"},
      {{.backup_index = -1, .node_index = 0},
       "Invalid backup_index in partial restore: Must be 0 <= -1 < 1"},
      {{.backup_index = 0, .node_index = 2},
       "Invalid node_index in partial restore: Must be 0 <= 2 < 2"},
      {{.backup_hostname = "nope", .node_index = 0},
       "Partial restore hostname nope not found in backup manifest"},
      {{.backup_index = 0, .node_url = "http://x"},
       "Partial restore url http://x not found in active configuration"},
  };
  for (const auto& [entry, message] : not_found) {
    auto r = get_node_to_backup_index({entry}, backup, nodes);
    ASSERT_FALSE(r) << message;
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(r.error().message, message);
  }
}

}  // namespace
}  // namespace astacus::coordinator

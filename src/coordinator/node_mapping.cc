#include "coordinator/node_mapping.h"

#include <algorithm>
#include <map>
#include <utility>

namespace astacus::coordinator {

namespace {

using Mapping = std::vector<std::optional<size_t>>;

/// (az, count) in first-appearance order, then stably sorted by count descending: Python's
/// Counter(...).most_common().
std::vector<std::pair<std::string, size_t>> most_common(const std::vector<std::string>& azs) {
  std::vector<std::pair<std::string, size_t>> counts;
  for (const auto& az : azs) {
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == az; });
    if (it == counts.end()) {
      counts.emplace_back(az, 1);
    } else {
      ++it->second;
    }
  }
  std::stable_sort(counts.begin(), counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return counts;
}

Result<size_t> resolve_node(const PartialRestoreNode& entry,
                            const std::vector<ClusterNode>& nodes) {
  if (entry.node_index) {
    int64_t i = *entry.node_index;
    if (i < 0 || i >= static_cast<int64_t>(nodes.size())) {
      return errorf(ErrorCode::kNotFound,
                    "Invalid node_index in partial restore: Must be 0 <= {} < {}", i, nodes.size());
    }
    return static_cast<size_t>(i);
  }
  std::optional<size_t> found;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].url == *entry.node_url) found = i;
  }
  if (!found) {
    return errorf(ErrorCode::kNotFound, "Partial restore url {} not found in active configuration",
                  *entry.node_url);
  }
  return *found;
}

Result<size_t> resolve_backup(const PartialRestoreNode& entry,
                              const std::vector<manifest::SnapshotResult>& backup) {
  if (entry.backup_index) {
    int64_t i = *entry.backup_index;
    if (i < 0 || i >= static_cast<int64_t>(backup.size())) {
      return errorf(ErrorCode::kNotFound,
                    "Invalid backup_index in partial restore: Must be 0 <= {} < {}", i,
                    backup.size());
    }
    return static_cast<size_t>(i);
  }
  std::optional<size_t> found;
  for (size_t i = 0; i < backup.size(); ++i) {
    if (backup[i].hostname == *entry.backup_hostname) found = i;
  }
  if (!found) {
    return errorf(ErrorCode::kNotFound, "Partial restore hostname {} not found in backup manifest",
                  *entry.backup_hostname);
  }
  return *found;
}

Result<Mapping> map_partial(const std::vector<PartialRestoreNode>& partial,
                            const std::vector<manifest::SnapshotResult>& backup,
                            const std::vector<ClusterNode>& nodes) {
  for (const auto& entry : partial) ASTACUS_CHECK(validate_partial_restore_node(entry));
  Mapping mapping(nodes.size());
  for (const auto& entry : partial) {
    size_t node = ASTACUS_TRY(resolve_node(entry, nodes));
    mapping[node] = ASTACUS_TRY(resolve_backup(entry, backup));
  }
  return mapping;
}

Result<Mapping> map_by_az(const std::vector<manifest::SnapshotResult>& backup,
                          const std::vector<ClusterNode>& nodes) {
  if (nodes.size() < backup.size()) {
    return errorf(ErrorCode::kConflict,
                  "insufficient nodes: {} node(s) missing - unable to restore backup",
                  backup.size() - nodes.size());
  }
  std::vector<std::string> backup_azs, node_azs;
  for (const auto& r : backup) backup_azs.push_back(r.az);
  for (const auto& n : nodes) node_azs.push_back(n.az);
  auto backup_groups = most_common(backup_azs);
  auto node_groups = most_common(node_azs);
  if (backup_groups.size() > node_groups.size()) {
    return errorf(ErrorCode::kConflict,
                  "insufficient AZs: {} az(s) missing - unable to restore backup",
                  backup_groups.size() - node_groups.size());
  }
  Mapping mapping(nodes.size());
  for (size_t g = 0; g < backup_groups.size(); ++g) {
    const auto& [backup_az, backup_n] = backup_groups[g];
    const auto& [node_az, node_n] = node_groups[g];
    if (backup_n > node_n) {
      return errorf(ErrorCode::kConflict,
                    "insufficient nodes: AZ {}, to be restored from {}, is missing {} nodes",
                    node_az, backup_az, backup_n - node_n);
    }
    for (size_t b = 0; b < backup.size(); ++b) {
      if (backup[b].az != backup_az) continue;
      for (size_t n = 0; n < nodes.size(); ++n) {
        if (nodes[n].az != node_az || mapping[n]) continue;
        mapping[n] = b;
        break;
      }
    }
  }
  return mapping;
}

}  // namespace

Status validate_partial_restore_node(const PartialRestoreNode& entry) {
  if (entry.backup_index.has_value() == entry.backup_hostname.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Exactly one of backup_index or backup_hostname supported");
  }
  if (entry.node_index.has_value() == entry.node_url.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Exactly one of node_index or node_url supported");
  }
  return ok();
}

Result<std::vector<std::optional<size_t>>> get_node_to_backup_index(
    const std::vector<PartialRestoreNode>& partial,
    const std::vector<manifest::SnapshotResult>& backup, const std::vector<ClusterNode>& nodes) {
  if (!partial.empty()) return map_partial(partial, backup, nodes);
  return map_by_az(backup, nodes);
}

}  // namespace astacus::coordinator

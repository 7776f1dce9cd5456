#pragma once
// Which backup node's data each configured node receives in a restore (spec §8.4, Python
// coordinator/plugins/base.py:get_node_to_backup_index). Pure functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "manifest/types.h"

namespace astacus::coordinator {

/// A configured node as far as mapping is concerned.
struct ClusterNode {
  std::string url;
  std::string az;
};

/// One entry of a restore request's `partial_restore_nodes`: exactly one of backup_index /
/// backup_hostname and exactly one of node_index / node_url must be set.
struct PartialRestoreNode {
  std::optional<int64_t> backup_index;
  std::optional<std::string> backup_hostname;
  std::optional<int64_t> node_index;
  std::optional<std::string> node_url;
};

/// InvalidArgument ("Exactly one of backup_index or backup_hostname supported" / "... of
/// node_index or node_url ...") unless the entry names exactly one of each pair. The HTTP layer
/// calls this when parsing the request (Python answers 422); get_node_to_backup_index repeats it.
Status validate_partial_restore_node(const PartialRestoreNode& entry);

/// For every configured node (same order as `nodes`), the index into `backup` whose data it
/// receives, or nullopt (not restored).
/// * Partial restore (`partial` non-empty): only the listed nodes are mapped; others stay
///   nullopt and must not be touched. Out-of-range indexes, hostnames not in `backup`
///   (last one wins on duplicates) and URLs not in `nodes` → NotFound.
/// * Full restore: Conflict "insufficient nodes: ..." when there are fewer nodes than backup
///   nodes or an AZ pair is short of nodes; Conflict "insufficient AZs: ..." when the backup has
///   more distinct AZs than the nodes. AZ groups are paired by descending size (ties: first
///   appearance); within a pair backup nodes, in order, take the first free node of the AZ.
Result<std::vector<std::optional<size_t>>> get_node_to_backup_index(
    const std::vector<PartialRestoreNode>& partial,
    const std::vector<manifest::SnapshotResult>& backup, const std::vector<ClusterNode>& nodes);

}  // namespace astacus::coordinator

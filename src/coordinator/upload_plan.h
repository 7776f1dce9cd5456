#pragma once
// Which node uploads which blob (spec §6.5, Python coordinator/plugins/base.py:
// build_node_index_datas). Pure function; the engine sends one upload request per entry.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "coordinator/hexdigest_set.h"
#include "manifest/types.h"

namespace astacus::coordinator {

/// The blobs one node must upload.
struct NodeIndexData {
  size_t node_index = 0;
  std::vector<manifest::SnapshotHash> hashes;  // in assignment order, each blob once
  int64_t total_size = 0;                      // sum of hashes[].size

  bool operator==(const NodeIndexData&) const = default;
};

/// `node_hashes[i]` = the `hashes` of node i's snapshot result (index-aligned with the
/// configured nodes; empty for nodes without hashes). `stored_hexdigests` = blobs already in
/// storage. Each distinct (hexdigest, size) not yet stored is assigned once, processed in
/// order of (number of hash entries carrying it ascending, size descending, first appearance),
/// to the holder with the smallest total assigned bytes so far (ties: lowest index).
/// Returns only nodes with at least one blob, in node order.
std::vector<NodeIndexData> build_node_index_datas(
    const std::vector<std::vector<manifest::SnapshotHash>>& node_hashes,
    const HexdigestSet& stored_hexdigests);

/// The same over snapshot results (index-aligned with the nodes; missing hashes = none),
/// without copying their hash lists.
std::vector<NodeIndexData> build_node_index_datas(
    const std::vector<manifest::SnapshotResult>& snapshot_results,
    const HexdigestSet& stored_hexdigests);

}  // namespace astacus::coordinator

#pragma once
// M3's placement (which node holds which shards) as stored in etcd under
// "_sd.placement/<env>/m3db": an encoded `placementpb.Placement` protobuf. A restore into other
// machines rewrites each instance for its new node. Decoding uses our own subset of M3's schema
// (m3_placement.proto); everything else in the bytes survives the round trip unchanged.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "plugins/m3db/config.h"

namespace astacus::plugins::m3db {

/// True for the etcd key of an M3 placement: starts with "_sd.placement/" and ends with "/m3db".
bool is_placement_key(std::string_view key);

/// Moves one backed-up instance onto a target node.
struct NodeReplacement {
  std::string src_node_id;          // the instance's id (= map key) in the backed-up placement
  PlacementNode dst;                // the target node's id, endpoint and hostname
  std::string dst_isolation_group;  // the target node's az; "" keeps the isolation group
};

/// Decodes `encoded`, applies every replacement and encodes the result. Per replacement the
/// instance keyed by src_node_id gets id and map key dst.node_id, endpoint and hostname from dst,
/// and the isolation group when dst_isolation_group is not empty. Port, zone, weight, shards,
/// instance order and every field our schema does not declare are kept. Replacements apply
/// together, so ids may be swapped.
/// Errors (InvalidArgument unless noted):
///   Corruption  the bytes are not a placement protobuf;
///   a src_node_id with no instance (the message names it and lists the ids present) — not
///   silently created, unlike Python Astacus (spec §13 item 24);
///   a source or target id given twice; a target id naming an instance not being replaced.
Result<std::string> rewrite_placement(std::string_view encoded,
                                      const std::vector<NodeReplacement>& replacements);

/// The declared fields of one instance, for checks and messages.
struct PlacementInstance {
  std::string key;  // its map key
  std::string id;
  std::string isolation_group;
  std::string zone;
  std::string endpoint;
  std::string hostname;
  uint32_t weight = 0;
  uint32_t port = 0;
  std::vector<uint32_t> shard_ids;
};

struct PlacementSummary {
  std::vector<PlacementInstance> instances;  // in stored order
  uint32_t replica_factor = 0;
  uint32_t num_shards = 0;
  bool is_sharded = false;
};

/// Decodes `encoded`; Corruption when it is not a placement protobuf.
Result<PlacementSummary> describe_placement(std::string_view encoded);

}  // namespace astacus::plugins::m3db

#include "plugins/m3db/placement.h"

#include <set>

#include "plugins/m3db/m3_placement.pb.h"

namespace astacus::plugins::m3db {

namespace {

Result<astacus::m3db::Placement> decode(std::string_view encoded) {
  astacus::m3db::Placement placement;
  if (encoded.size() > static_cast<size_t>(INT32_MAX) ||
      !placement.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) {
    return errorf(ErrorCode::kCorruption, "not an M3 placement protobuf ({} bytes)",
                  encoded.size());
  }
  return placement;
}

std::string instance_ids(const astacus::m3db::Placement& placement) {
  std::string out;
  for (const auto& entry : placement.instances()) {
    out += (out.empty() ? "'" : ", '") + entry.key() + "'";
  }
  return out.empty() ? "none" : out;
}

/// For each replacement, the indices of the entries it rewrites (checked before any change).
Result<std::vector<std::vector<int>>> match_entries(
    const astacus::m3db::Placement& placement, const std::vector<NodeReplacement>& replacements) {
  std::set<std::string> sources, targets;
  for (const auto& r : replacements) {
    if (!sources.insert(r.src_node_id).second) {
      return errorf(ErrorCode::kInvalidArgument, "instance '{}' is the source of two target nodes",
                    r.src_node_id);
    }
    if (!targets.insert(r.dst.node_id).second) {
      return errorf(ErrorCode::kInvalidArgument, "node id '{}' is the target of two instances",
                    r.dst.node_id);
    }
  }
  std::vector<std::vector<int>> matches(replacements.size());
  for (size_t r = 0; r < replacements.size(); ++r) {
    for (int i = 0; i < placement.instances_size(); ++i) {
      const auto& key = placement.instances(i).key();
      if (key == replacements[r].src_node_id) matches[r].push_back(i);
      if (key == replacements[r].dst.node_id && !sources.count(key)) {
        return errorf(ErrorCode::kInvalidArgument,
                      "target node id '{}' already names another instance of the placement",
                      replacements[r].dst.node_id);
      }
    }
    if (matches[r].empty()) {
      return errorf(ErrorCode::kInvalidArgument,
                    "the placement has no instance '{}' to move to node '{}' (instances: {})",
                    replacements[r].src_node_id, replacements[r].dst.node_id,
                    instance_ids(placement));
    }
  }
  return matches;
}

void apply(astacus::m3db::InstanceEntry& entry, const NodeReplacement& r) {
  entry.set_key(r.dst.node_id);
  auto* instance = entry.mutable_value();
  instance->set_id(r.dst.node_id);
  instance->set_endpoint(r.dst.endpoint);
  instance->set_hostname(r.dst.hostname);
  if (!r.dst_isolation_group.empty()) instance->set_isolation_group(r.dst_isolation_group);
}

}  // namespace

bool is_placement_key(std::string_view key) {
  return key.starts_with("_sd.placement/") && key.ends_with("/m3db");
}

Result<std::string> rewrite_placement(std::string_view encoded,
                                      const std::vector<NodeReplacement>& replacements) {
  auto placement = ASTACUS_TRY(decode(encoded));
  auto matches = ASTACUS_TRY(match_entries(placement, replacements));
  for (size_t r = 0; r < replacements.size(); ++r) {
    for (int i : matches[r]) apply(*placement.mutable_instances(i), replacements[r]);
  }
  std::string out;
  if (!placement.SerializeToString(&out)) {
    return errorf(ErrorCode::kInternal, "cannot encode the rewritten M3 placement");
  }
  return out;
}

Result<PlacementSummary> describe_placement(std::string_view encoded) {
  auto placement = ASTACUS_TRY(decode(encoded));
  PlacementSummary out;
  out.replica_factor = placement.replica_factor();
  out.num_shards = placement.num_shards();
  out.is_sharded = placement.is_sharded();
  for (const auto& entry : placement.instances()) {
    const auto& v = entry.value();
    PlacementInstance instance{entry.key(), v.id(),     v.isolation_group(), v.zone(),
                               v.endpoint(), v.hostname(), v.weight(),        v.port(), {}};
    for (const auto& shard : v.shards()) instance.shard_ids.push_back(shard.id());
    out.instances.push_back(std::move(instance));
  }
  return out;
}

}  // namespace astacus::plugins::m3db

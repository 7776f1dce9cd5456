#pragma once
// The m3db plugin_config (spec §10.2) and the etcd prefixes it backs up:
//   {"etcd_url": "http://etcd:2379/v3beta", "environment": "default_env",
//    "placement_nodes": [{"node_id": "m3db-0", "endpoint": "10.0.0.1:9000", "hostname": "m3db-0"}]}
// placement_nodes[i] describes coordinator node i as M3 knows it: its id in the placement and the
// endpoint and hostname M3 should use. Errors name the key path (coordinator.plugin_config.<key>).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::plugins::m3db {

/// Longest node_id, endpoint or hostname accepted (Python MAXIMUM_PROTOBUF_STR_LENGTH).
inline constexpr size_t kMaxPlacementFieldLength = 127;

/// One M3 placement instance as configured (and recorded in the manifest's plugin_data).
struct PlacementNode {
  std::string node_id;
  std::string endpoint;
  std::string hostname;
  bool operator==(const PlacementNode&) const = default;
};

struct M3dbConfig {
  std::string etcd_url;     // etcd v3 JSON gateway base, e.g. http://etcd:2379/v3beta
  std::string environment;  // M3 environment: names the etcd prefixes
  std::vector<PlacementNode> placement_nodes;  // one per coordinator node, same order
};

/// Parses and checks plugin_config: unknown keys, missing keys, wrong types, empty or longer than
/// kMaxPlacementFieldLength node fields, duplicate node ids. InvalidArgument naming the key path.
Result<M3dbConfig> parse_m3db_config(const nlohmann::json& plugin_config);

/// Parses one placement node; `path` names it in errors
/// ("coordinator.plugin_config.placement_nodes[1]").
Result<PlacementNode> parse_placement_node(const nlohmann::json& json, const std::string& path);

/// Permanent failure (InvalidArgument) naming both counts unless there is exactly one placement
/// node per coordinator node.
Status check_placement_node_count(const M3dbConfig& config, size_t coordinator_nodes);

/// The etcd prefixes holding M3's state: "_kv/<env>/m3db.node.namespaces" (namespaces) and
/// "_sd.placement/<env>/m3db" (the placement).
std::vector<std::string> etcd_prefixes(std::string_view environment);

}  // namespace astacus::plugins::m3db

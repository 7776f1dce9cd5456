#pragma once
// What an m3db backup records in the manifest's plugin_data (Python `M3DBManifest`):
//   {"etcd": {"prefixes": [...]}, "placement_nodes": [{"node_id", "endpoint", "hostname"}, ...]}
// placement_nodes[j] is how backup node j was known to M3, so a restore can find its instance.

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "plugins/etcd/dump.h"
#include "plugins/m3db/config.h"

namespace astacus::plugins::m3db {

struct M3dbPluginData {
  etcd::Dump etcd;
  std::vector<PlacementNode> placement_nodes;
};

nlohmann::ordered_json placement_nodes_to_json(const std::vector<PlacementNode>& nodes);

/// InvalidArgument naming the backup and the field when plugin_data is not an m3db record.
Result<M3dbPluginData> parse_plugin_data(const nlohmann::ordered_json& plugin_data,
                                         std::string_view backup_name);

}  // namespace astacus::plugins::m3db

#include "plugins/m3db/plugin_data.h"

namespace astacus::plugins::m3db {

nlohmann::ordered_json placement_nodes_to_json(const std::vector<PlacementNode>& nodes) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& n : nodes) {
    out.push_back({{"node_id", n.node_id}, {"endpoint", n.endpoint}, {"hostname", n.hostname}});
  }
  return out;
}

Result<M3dbPluginData> parse_plugin_data(const nlohmann::ordered_json& plugin_data,
                                         std::string_view backup_name) {
  std::string where = fmt::format("backup {} plugin_data", backup_name);
  if (!plugin_data.is_object()) {
    return errorf(ErrorCode::kInvalidArgument, "{}: expected an m3db object, got {}", where,
                  plugin_data.type_name());
  }
  M3dbPluginData out;
  auto etcd = plugin_data.find("etcd");
  if (etcd == plugin_data.end()) {
    return errorf(ErrorCode::kInvalidArgument, "{}.etcd: missing", where);
  }
  out.etcd = ASTACUS_TRY(etcd::dump_from_json(*etcd, where + ".etcd"));
  auto nodes = plugin_data.find("placement_nodes");
  if (nodes == plugin_data.end() || !nodes->is_array()) {
    return errorf(ErrorCode::kInvalidArgument, "{}.placement_nodes: missing or not a list", where);
  }
  for (size_t i = 0; i < nodes->size(); ++i) {
    // Round-trip through nlohmann::json: the node parser is shared with the config.
    nlohmann::json node = nlohmann::json::parse((*nodes)[i].dump());
    out.placement_nodes.push_back(
        ASTACUS_TRY(parse_placement_node(node, fmt::format("{}.placement_nodes[{}]", where, i))));
  }
  return out;
}

}  // namespace astacus::plugins::m3db

#include "plugins/m3db/config.h"

#include <algorithm>
#include <set>

namespace astacus::plugins::m3db {

namespace {

constexpr const char* kRoot = "coordinator.plugin_config";

tl::unexpected<Error> invalid(const std::string& path, std::string_view problem) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, problem));
}

Status only_keys(const nlohmann::json& object, const std::string& path,
                 std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return invalid(path + "." + key, "unknown key");
    }
  }
  return ok();
}

Result<std::string> string_key(const nlohmann::json& object, const char* key,
                               const std::string& path) {
  auto it = object.find(key);
  std::string full = path + "." + key;
  if (it == object.end()) return invalid(full, "required key missing");
  if (!it->is_string()) {
    return invalid(full, fmt::format("expected a string, got {}", it->type_name()));
  }
  return it->get<std::string>();
}

Result<std::string> node_field(const nlohmann::json& object, const char* key,
                               const std::string& path) {
  auto value = ASTACUS_TRY(string_key(object, key, path));
  if (value.empty()) return invalid(path + "." + key, "must not be empty");
  if (value.size() > kMaxPlacementFieldLength) {
    return invalid(path + "." + key, fmt::format("{} characters, at most {} are supported",
                                                 value.size(), kMaxPlacementFieldLength));
  }
  return value;
}

Status check_etcd_url(const std::string& url, const std::string& path) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return invalid(path, fmt::format("'{}' is not an http:// URL of the etcd v3 JSON gateway "
                                     "(e.g. http://etcd:2379/v3beta)", url));
  }
  return ok();
}

}  // namespace

Result<PlacementNode> parse_placement_node(const nlohmann::json& json, const std::string& path) {
  if (!json.is_object()) {
    return invalid(path, "expected an object with node_id, endpoint, hostname");
  }
  ASTACUS_CHECK(only_keys(json, path, {"node_id", "endpoint", "hostname"}));
  PlacementNode node;
  node.node_id = ASTACUS_TRY(node_field(json, "node_id", path));
  node.endpoint = ASTACUS_TRY(node_field(json, "endpoint", path));
  node.hostname = ASTACUS_TRY(node_field(json, "hostname", path));
  return node;
}

Result<M3dbConfig> parse_m3db_config(const nlohmann::json& plugin_config) {
  const std::string root = kRoot;
  if (!plugin_config.is_object()) return invalid(root, "expected an object");
  ASTACUS_CHECK(only_keys(plugin_config, root, {"etcd_url", "environment", "placement_nodes"}));
  M3dbConfig config;
  config.etcd_url = ASTACUS_TRY(string_key(plugin_config, "etcd_url", root));
  ASTACUS_CHECK(check_etcd_url(config.etcd_url, root + ".etcd_url"));
  config.environment = ASTACUS_TRY(string_key(plugin_config, "environment", root));
  auto nodes = plugin_config.find("placement_nodes");
  std::string nodes_path = root + ".placement_nodes";
  if (nodes == plugin_config.end()) return invalid(nodes_path, "required key missing");
  if (!nodes->is_array()) {
    return invalid(nodes_path, "expected a list of {node_id, endpoint, hostname}");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < nodes->size(); ++i) {
    std::string path = fmt::format("{}[{}]", nodes_path, i);
    auto node = ASTACUS_TRY(parse_placement_node((*nodes)[i], path));
    if (!ids.insert(node.node_id).second) {
      return invalid(path + ".node_id",
                     fmt::format("'{}' is used by an earlier placement node", node.node_id));
    }
    config.placement_nodes.push_back(std::move(node));
  }
  return config;
}

Status check_placement_node_count(const M3dbConfig& config, size_t coordinator_nodes) {
  size_t count = config.placement_nodes.size();
  if (count == coordinator_nodes) return ok();
  return invalid(std::string(kRoot) + ".placement_nodes",
                 fmt::format("{} placement nodes for {} coordinator nodes (coordinator.nodes); "
                             "there must be exactly one per node, in the same order",
                             count, coordinator_nodes));
}

std::vector<std::string> etcd_prefixes(std::string_view environment) {
  return {fmt::format("_kv/{}/m3db.node.namespaces", environment),
          fmt::format("_sd.placement/{}/m3db", environment)};
}

}  // namespace astacus::plugins::m3db

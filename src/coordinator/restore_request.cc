#include "coordinator/restore_request.h"

#include "http/server.h"

namespace astacus::coordinator {

namespace {

using nlohmann::json;

void bad(ValidationItems& items, std::vector<json> loc, const char* msg, const char* type) {
  loc.insert(loc.begin(), "body");
  items.push_back(http::validation_item(loc, msg, type));
}

void optional_string(const json& body, const char* key, std::string& out, ValidationItems& items) {
  if (!body.contains(key) || body[key].is_null()) return;
  if (!body[key].is_string()) return bad(items, {key}, "str type expected", "type_error.str");
  out = body[key].get<std::string>();
}

void optional_int(const json& body, const char* key, std::optional<int64_t>& out,
                  std::vector<json> loc, ValidationItems& items) {
  if (!body.contains(key) || body[key].is_null()) return;
  loc.push_back(key);
  if (!body[key].is_number_integer()) {
    return bad(items, loc, "value is not a valid integer", "type_error.integer");
  }
  out = body[key].get<int64_t>();
}

void parse_partial_node(const json& entry, size_t i, PartialRestoreNode& node,
                        ValidationItems& items) {
  std::vector<json> loc = {"partial_restore_nodes", i};
  if (!entry.is_object()) return bad(items, loc, "value is not a valid dict", "type_error.dict");
  optional_int(entry, "backup_index", node.backup_index, loc, items);
  optional_int(entry, "node_index", node.node_index, loc, items);
  std::string s;
  if (entry.contains("backup_hostname") && entry["backup_hostname"].is_string()) {
    node.backup_hostname = entry["backup_hostname"].get<std::string>();
  }
  if (entry.contains("node_url") && entry["node_url"].is_string()) {
    node.node_url = entry["node_url"].get<std::string>();
  }
  auto valid = validate_partial_restore_node(node);
  if (!valid) bad(items, loc, valid.error().message.c_str(), "value_error");
}

}  // namespace

ValidationItems parse_restore_request(const json& body, RestoreRequest& out) {
  ValidationItems items;
  if (body.is_null()) return items;
  if (!body.is_object()) {
    bad(items, {}, "value is not a valid dict", "type_error.dict");
    return items;
  }
  optional_string(body, "storage", out.storage, items);
  optional_string(body, "name", out.name, items);
  std::string step;
  optional_string(body, "stop_after_step", step, items);
  if (!step.empty()) out.stop_after_step = step;
  if (body.contains("partial_restore_nodes") && !body["partial_restore_nodes"].is_null()) {
    const auto& nodes = body["partial_restore_nodes"];
    if (!nodes.is_array()) {
      bad(items, {"partial_restore_nodes"}, "value is not a valid list", "type_error.list");
    } else {
      for (size_t i = 0; i < nodes.size(); ++i) {
        PartialRestoreNode node;
        parse_partial_node(nodes[i], i, node, items);
        out.partial_restore_nodes.push_back(node);
      }
    }
  }
  return items;
}

ValidationItems parse_cleanup_request(const json& body, CleanupRequest& out) {
  ValidationItems items;
  if (body.is_null()) return items;
  if (!body.is_object()) {
    bad(items, {}, "value is not a valid dict", "type_error.dict");
    return items;
  }
  optional_string(body, "storage", out.storage, items);
  if (body.contains("retention") && !body["retention"].is_null()) {
    const auto& r = body["retention"];
    if (!r.is_object()) {
      bad(items, {"retention"}, "value is not a valid dict", "type_error.dict");
    } else {
      config::RetentionConfig retention;
      optional_int(r, "minimum_backups", retention.minimum_backups, {"retention"}, items);
      optional_int(r, "maximum_backups", retention.maximum_backups, {"retention"}, items);
      optional_int(r, "keep_days", retention.keep_days, {"retention"}, items);
      out.retention = retention;
    }
  }
  if (body.contains("explicit_delete") && !body["explicit_delete"].is_null()) {
    const auto& names = body["explicit_delete"];
    if (!names.is_array()) {
      bad(items, {"explicit_delete"}, "value is not a valid list", "type_error.list");
    } else {
      for (size_t i = 0; i < names.size(); ++i) {
        if (!names[i].is_string()) {
          bad(items, {"explicit_delete", i}, "str type expected", "type_error.str");
        } else {
          out.explicit_delete.push_back(names[i].get<std::string>());
        }
      }
    }
  }
  return items;
}

}  // namespace astacus::coordinator

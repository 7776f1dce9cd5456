#include "plugins/etcd/dump.h"

#include "base/encoding.h"

namespace astacus::plugins::etcd {

namespace {

using Json = nlohmann::ordered_json;

tl::unexpected<Error> invalid(const std::string& path, std::string_view problem) {
  return make_error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path, problem));
}

Result<const Json*> field(const Json& object, const char* name, const std::string& path,
                          Json::value_t type) {
  auto it = object.find(name);
  if (it == object.end()) return invalid(path + "." + name, "missing");
  if (it->type() != type) {
    return invalid(path + "." + name, fmt::format("expected {}", Json(type).type_name()));
  }
  return &*it;
}

Result<std::string> b64_field(const Json& object, const char* name, const std::string& path) {
  const Json* value = ASTACUS_TRY(field(object, name, path, Json::value_t::string));
  auto decoded = base64_decode(value->get_ref<const std::string&>());
  if (!decoded) return invalid(path + "." + name, "not base64");
  return std::move(*decoded);
}

Result<PrefixDump> prefix_from_json(const Json& json, const std::string& path) {
  if (!json.is_object()) return invalid(path, "expected an object");
  PrefixDump out;
  out.prefix = ASTACUS_TRY(b64_field(json, "prefix_b64", path));
  const Json* keys = ASTACUS_TRY(field(json, "keys", path, Json::value_t::array));
  for (size_t i = 0; i < keys->size(); ++i) {
    std::string key_path = fmt::format("{}.keys[{}]", path, i);
    const Json& key = (*keys)[i];
    if (!key.is_object()) return invalid(key_path, "expected an object");
    KeyValue kv;
    kv.key = ASTACUS_TRY(b64_field(key, "key_b64", key_path));
    kv.value = ASTACUS_TRY(b64_field(key, "value_b64", key_path));
    out.keys.push_back(std::move(kv));
  }
  return out;
}

}  // namespace

Result<Dump> read_dump(const Client& client, const std::vector<std::string>& prefixes) {
  Dump dump;
  for (const auto& prefix : prefixes) {
    dump.prefixes.push_back({prefix, ASTACUS_TRY(client.get_prefix(prefix))});
  }
  return dump;
}

Status restore_dump(const Client& client, const Dump& dump) {
  for (const auto& prefix : dump.prefixes) {
    ASTACUS_TRY(client.delete_prefix(prefix.prefix));
    for (const auto& kv : prefix.keys) ASTACUS_CHECK(client.put(kv.key, kv.value));
  }
  return ok();
}

nlohmann::ordered_json dump_to_json(const Dump& dump) {
  Json prefixes = Json::array();
  for (const auto& prefix : dump.prefixes) {
    Json keys = Json::array();
    for (const auto& kv : prefix.keys) {
      keys.push_back(
          Json{{"key_b64", base64_encode(kv.key)}, {"value_b64", base64_encode(kv.value)}});
    }
    prefixes.push_back(
        Json{{"prefix_b64", base64_encode(prefix.prefix)}, {"keys", std::move(keys)}});
  }
  return Json{{"prefixes", std::move(prefixes)}};
}

Result<Dump> dump_from_json(const nlohmann::ordered_json& json, std::string_view where) {
  std::string path(where);
  if (!json.is_object()) return invalid(path, "expected an object");
  const Json* prefixes = ASTACUS_TRY(field(json, "prefixes", path, Json::value_t::array));
  Dump dump;
  for (size_t i = 0; i < prefixes->size(); ++i) {
    std::string prefix_path = fmt::format("{}.prefixes[{}]", path, i);
    dump.prefixes.push_back(ASTACUS_TRY(prefix_from_json((*prefixes)[i], prefix_path)));
  }
  return dump;
}

}  // namespace astacus::plugins::etcd

// Service-account credentials of a GCS site from the config or a key file.
#include "storage/gcs/gcs_credentials.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "codec/rsa_keys.h"

namespace astacus::storage::gcs {

namespace {

using Json = nlohmann::json;

Result<Json> read_json_file(const std::string& where, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return errorf(ErrorCode::kInvalidArgument, "{}: cannot read '{}'", where, path);
  std::stringstream text;
  text << in.rdbuf();
  Json parsed = Json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) {
    return errorf(ErrorCode::kInvalidArgument, "{}: '{}' is not a JSON service-account key file", where, path);
  }
  return parsed;
}

// Where the credentials came from, for messages: `whole` names the object, `field(f)` a field.
struct Source {
  std::string whole;         // "object_storage.storages.x.credentials"
  std::string field_prefix;  // "object_storage.storages.x.credentials."

  std::string field(const char* name) const { return field_prefix + name; }
};

Result<std::string> string_field(const Json& json, const Source& where, const char* field, bool required) {
  auto it = json.find(field);
  if (it == json.end() || it->is_null()) {
    if (!required) return std::string();
    return errorf(ErrorCode::kInvalidArgument, "{}: required", where.field(field));
  }
  if (!it->is_string() || (required && it->get<std::string>().empty())) {
    return errorf(ErrorCode::kInvalidArgument, "{}: expected a non-empty string", where.field(field));
  }
  return it->get<std::string>();
}

Result<ServiceAccount> parse_service_account(const Json& json, const Source& where) {
  if (!json.is_object()) return errorf(ErrorCode::kInvalidArgument, "{}: expected a JSON object", where.whole);
  std::string type = ASTACUS_TRY(string_field(json, where, "type", false));
  if (!type.empty() && type != "service_account") {
    return errorf(ErrorCode::kInvalidArgument, "{}: '{}' is not supported (only service_account)",
                  where.field("type"), type);
  }
  ServiceAccount account;
  account.client_email = ASTACUS_TRY(string_field(json, where, "client_email", true));
  account.private_key = ASTACUS_TRY(string_field(json, where, "private_key", true));
  account.private_key_id = ASTACUS_TRY(string_field(json, where, "private_key_id", false));
  account.token_uri = ASTACUS_TRY(string_field(json, where, "token_uri", false));
  if (account.token_uri.empty()) account.token_uri = kDefaultTokenUri;
  if (auto key = codec::load_private_key(account.private_key); !key) {
    return errorf(ErrorCode::kInvalidArgument, "{}: {}", where.field("private_key"), key.error().message);
  }
  return account;
}

}  // namespace

Result<ServiceAccount> load_service_account(const std::string& site, const config::GoogleStorageConfig& config) {
  std::string site_key = "object_storage.storages." + site;
  if (config.credential_file && !config.credential_file->empty()) {
    std::string where = site_key + ".credential_file";
    Json json = ASTACUS_TRY(read_json_file(where, *config.credential_file));
    std::string file = fmt::format("{} '{}'", where, *config.credential_file);
    return parse_service_account(json, Source{file, file + ": "});
  }
  if (config.credentials && !config.credentials->is_null()) {
    std::string where = site_key + ".credentials";
    return parse_service_account(*config.credentials, Source{where, where + "."});
  }
  return errorf(ErrorCode::kInvalidArgument,
                "{}.credentials: credentials or credential_file is required (a service-account key; "
                "application default credentials are not supported)",
                site_key);
}

}  // namespace astacus::storage::gcs

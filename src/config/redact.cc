#include "config/redact.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace astacus::config {

using Json = nlohmann::json;

namespace {

template <typename T>
Json secret(const std::optional<T>& value) {
  return value ? Json(kRedacted) : Json(nullptr);
}
Json secret(const std::string& value) { return value.empty() ? Json("") : Json(kRedacted); }

template <typename T>
Json opt(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

bool is_secret_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  if (key == "pass" || key == "credentials" || key == "sas_token" || key == "account_key") return true;
  for (const char* word : {"password", "secret", "token", "private"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

// Untyped sections (plugin_config, node.cassandra): redact by key name, recursively.
Json redact_untyped(const Json& value) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(redact_untyped(item));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (const auto& [key, item] : value.items()) {
    out[key] = is_secret_key(key) && !item.is_null() ? Json(kRedacted) : redact_untyped(item);
  }
  return out;
}

Json proxy_json(const std::optional<ProxyInfo>& p) {
  if (!p) return nullptr;
  return {{"type", p->type}, {"host", p->host}, {"port", p->port}, {"user", opt(p->user)}, {"pass", secret(p->pass)}};
}

Json storage_json(const LocalStorageConfig& s) {
  return {{"storage_type", "local"}, {"directory", s.directory}, {"prefix", s.prefix}};
}

Json storage_json(const S3StorageConfig& s) {
  return {{"storage_type", "s3"},
          {"region", s.region},
          {"bucket_name", s.bucket_name},
          {"aws_access_key_id", opt(s.aws_access_key_id)},
          {"aws_secret_access_key", secret(s.aws_secret_access_key)},
          {"aws_session_token", secret(s.aws_session_token)},
          {"prefix", s.prefix},
          {"host", opt(s.host)},
          {"port", opt(s.port)},
          {"addressing_style", s.addressing_style},
          {"is_secure", s.is_secure},
          {"is_verify_tls", s.is_verify_tls},
          {"cert_path", opt(s.cert_path)},
          {"segment_size", opt(s.segment_size)},
          {"min_multipart_chunk_size", opt(s.min_multipart_chunk_size)},
          {"encrypted", s.encrypted},
          {"proxy_info", proxy_json(s.proxy_info)},
          {"connect_timeout", opt(s.connect_timeout)},
          {"read_timeout", opt(s.read_timeout)},
          {"use_dualstack_endpoint", s.use_dualstack_endpoint},
          {"user_agent_extra", opt(s.user_agent_extra)}};
}

Json storage_json(const AzureStorageConfig& s) {
  return {{"storage_type", "azure"},        {"account_name", s.account_name},
          {"bucket_name", s.bucket_name},   {"account_key", secret(s.account_key)},
          {"sas_token", secret(s.sas_token)}, {"prefix", s.prefix},
          {"is_secure", s.is_secure},       {"host", opt(s.host)},
          {"port", opt(s.port)},            {"azure_cloud", opt(s.azure_cloud)},
          {"proxy_info", proxy_json(s.proxy_info)}};
}

Json storage_json(const GoogleStorageConfig& s) {
  return {{"storage_type", "google"},
          {"project_id", s.project_id},
          {"bucket_name", s.bucket_name},
          {"credential_file", opt(s.credential_file)},
          {"credentials", secret(s.credentials)},
          {"prefix", s.prefix},
          {"proxy_info", proxy_json(s.proxy_info)},
          {"endpoint", opt(s.endpoint)}};
}

Json object_storage_json(const std::optional<ObjectStorageConfig>& o) {
  if (!o) return nullptr;
  Json storages = Json::object();
  for (const auto& [name, s] : o->storages) {
    storages[name] = std::visit([](const auto& typed) { return storage_json(typed); }, s);
  }
  Json keys = Json::object();
  for (const auto& [id, k] : o->encryption_keys) keys[id] = {{"public", k.public_pem}, {"private", secret(k.private_pem)}};
  return {{"temporary_directory", o->temporary_directory},
          {"default_storage", o->default_storage},
          {"storages", storages},
          {"encryption_key_id", opt(o->encryption_key_id)},
          {"encryption_keys", keys},
          {"encryption_format", o->encryption_format},
          {"pack_small_blobs", o->pack_small_blobs},
          {"compression", {{"algorithm", opt(o->compression.algorithm)}, {"level", o->compression.level}}}};
}

Json statsd_json(const std::optional<StatsdConfig>& s) {
  if (!s) return nullptr;
  return {{"host", s->host}, {"port", s->port}, {"message_format", s->message_format}, {"tags", s->tags}};
}

Json coordinator_json(const CoordinatorConfig& c) {
  Json nodes = Json::array();
  for (const auto& n : c.nodes) nodes.push_back({{"url", n.url}, {"az", n.az}});
  const PollConfig& p = c.poll;
  return {{"plugin", c.plugin},
          {"plugin_config", redact_untyped(c.plugin_config)},
          {"nodes", nodes},
          {"retention",
           {{"minimum_backups", opt(c.retention.minimum_backups)},
            {"maximum_backups", opt(c.retention.maximum_backups)},
            {"keep_days", opt(c.retention.keep_days)}}},
          {"poll",
           {{"delay_start", p.delay_start},
            {"delay_multiplier", p.delay_multiplier},
            {"delay_max", p.delay_max},
            {"duration", p.duration},
            {"maximum_failures", p.maximum_failures},
            {"result_timeout", p.result_timeout}}},
          {"default_lock_ttl", c.default_lock_ttl},
          {"backup_attempts", c.backup_attempts},
          {"restore_attempts", c.restore_attempts},
          {"object_storage_cache", opt(c.object_storage_cache)},
          {"object_storage", object_storage_json(c.object_storage)},
          {"statsd", statsd_json(c.statsd)},
          {"list_ttl", c.list_ttl}};
}

Json node_json(const NodeConfig& n) {
  return {{"root", n.root},
          {"az", n.az},
          {"root_link", opt(n.root_link)},
          {"delta_root_link", opt(n.delta_root_link)},
          {"db_path", n.db_path},
          {"object_storage", object_storage_json(n.object_storage)},
          {"statsd", statsd_json(n.statsd)},
          {"parallel",
           {{"downloads", n.parallel.downloads}, {"hashes", n.parallel.hashes}, {"uploads", n.parallel.uploads}}},
          {"copy_root_owner", n.copy_root_owner},
          {"cassandra", n.cassandra ? redact_untyped(*n.cassandra) : Json(nullptr)}};
}

}  // namespace

Json to_redacted_json(const GlobalConfig& config) {
  const UvicornConfig& u = config.uvicorn;
  return {{"coordinator", coordinator_json(config.coordinator)},
          {"node", node_json(config.node)},
          {"sentry_dsn", secret(config.sentry_dsn)},
          {"uvicorn",
           {{"host", u.host}, {"port", u.port}, {"http", u.http}, {"log_level", opt(u.log_level)}, {"reload", u.reload}}},
          {"object_storage", object_storage_json(config.object_storage)},
          {"statsd", statsd_json(config.statsd)}};
}

}  // namespace astacus::config

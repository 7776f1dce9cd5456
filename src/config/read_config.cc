#include "config/read_config.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <thread>

namespace astacus::config {

namespace {

Status check_positive(std::string_view path, int64_t value) {
  if (value < 1) return path_error(path, fmt::format("must be at least 1, got {}", value));
  return ok();
}

// pydantic DirectoryPath: the directory must exist when the config is loaded.
Status check_directory(std::string_view path, const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return path_error(path, fmt::format("directory \"{}\" does not exist", dir));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return path_error(path, fmt::format("\"{}\" is not a directory", dir));
  }
  return ok();
}

}  // namespace

int default_parallelism() {
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1U, 8U));
}

Status read_value(const Json& v, const std::string& path, GlobalConfig& out) {
  out = GlobalConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required("coordinator", out.coordinator));
  ASTACUS_CHECK(r.required("node", out.node));
  ASTACUS_CHECK(r.optional("sentry_dsn", out.sentry_dsn));
  ASTACUS_CHECK(r.optional("uvicorn", out.uvicorn));
  ASTACUS_CHECK(r.optional("object_storage", out.object_storage));
  ASTACUS_CHECK(r.optional("statsd", out.statsd));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, UvicornConfig& out) {
  out = UvicornConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional("host", out.host));
  ASTACUS_CHECK(r.optional("port", out.port));
  ASTACUS_CHECK(r.optional_choice("http", out.http, {"auto", "h11", "httptools"}));
  ASTACUS_CHECK(r.optional_choice("log_level", out.log_level,
                                  {"critical", "error", "warning", "info", "debug", "trace"}));
  ASTACUS_CHECK(r.optional("reload", out.reload));
  ASTACUS_CHECK(r.finish());
  if (out.port < 0 || out.port > 65535) return path_error(r.path_of("port"), "must be in 0..65535");
  return ok();
}

Status read_value(const Json& v, const std::string& path, StatsdConfig& out) {
  out = StatsdConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional("host", out.host));
  ASTACUS_CHECK(r.optional("port", out.port));
  ASTACUS_CHECK(r.optional_choice("message_format", out.message_format, {"telegraf", "datadog"}));
  ASTACUS_CHECK(r.optional("tags", out.tags));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, CoordinatorConfig& out) {
  out = CoordinatorConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required_choice("plugin", out.plugin, {"files", "m3db", "cassandra", "clickhouse", "flink"}));
  ASTACUS_CHECK(r.optional("plugin_config", out.plugin_config));
  ASTACUS_CHECK(r.optional("nodes", out.nodes));
  ASTACUS_CHECK(r.optional("retention", out.retention));
  ASTACUS_CHECK(r.optional("poll", out.poll));
  ASTACUS_CHECK(r.optional("default_lock_ttl", out.default_lock_ttl));
  ASTACUS_CHECK(r.optional("backup_attempts", out.backup_attempts));
  ASTACUS_CHECK(r.optional("restore_attempts", out.restore_attempts));
  ASTACUS_CHECK(r.optional("object_storage_cache", out.object_storage_cache));
  ASTACUS_CHECK(r.optional("object_storage", out.object_storage));
  ASTACUS_CHECK(r.optional("statsd", out.statsd));
  ASTACUS_CHECK(r.optional("list_ttl", out.list_ttl));
  ASTACUS_CHECK(r.finish());
  ASTACUS_CHECK(check_positive(r.path_of("backup_attempts"), out.backup_attempts));
  return check_positive(r.path_of("restore_attempts"), out.restore_attempts);
}

Status read_value(const Json& v, const std::string& path, CoordinatorNode& out) {
  out = CoordinatorNode{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required("url", out.url));
  ASTACUS_CHECK(r.optional("az", out.az));
  return r.finish();
}

// Given explicitly, retention replaces the default wholly: absent fields are unset.
Status read_value(const Json& v, const std::string& path, RetentionConfig& out) {
  out = RetentionConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional("minimum_backups", out.minimum_backups));
  ASTACUS_CHECK(r.optional("maximum_backups", out.maximum_backups));
  ASTACUS_CHECK(r.optional("keep_days", out.keep_days));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, PollConfig& out) {
  out = PollConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional("delay_start", out.delay_start));
  ASTACUS_CHECK(r.optional("delay_multiplier", out.delay_multiplier));
  ASTACUS_CHECK(r.optional("delay_max", out.delay_max));
  ASTACUS_CHECK(r.optional("duration", out.duration));
  ASTACUS_CHECK(r.optional("maximum_failures", out.maximum_failures));
  ASTACUS_CHECK(r.optional("result_timeout", out.result_timeout));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, NodeConfig& out) {
  out = NodeConfig{};
  int cores = default_parallelism();
  out.parallel = ParallelConfig{.downloads = cores, .hashes = cores, .uploads = cores};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required("root", out.root));
  ASTACUS_CHECK(r.optional("az", out.az));
  ASTACUS_CHECK(r.optional("root_link", out.root_link));
  ASTACUS_CHECK(r.optional("delta_root_link", out.delta_root_link));
  ASTACUS_CHECK(r.required("db_path", out.db_path));
  ASTACUS_CHECK(r.optional("object_storage", out.object_storage));
  ASTACUS_CHECK(r.optional("statsd", out.statsd));
  ASTACUS_CHECK(r.optional("parallel", out.parallel));
  ASTACUS_CHECK(r.optional("copy_root_owner", out.copy_root_owner));
  ASTACUS_CHECK(r.optional("cassandra", out.cassandra));
  ASTACUS_CHECK(r.finish());
  ASTACUS_CHECK(check_directory(r.path_of("root"), out.root));
  std::string link = (std::filesystem::path(out.root) / ".astacus").string();
  if (!out.root_link) out.root_link = link;
  if (!out.delta_root_link) out.delta_root_link = link;
  return ok();
}

Status read_value(const Json& v, const std::string& path, ParallelConfig& out) {
  int cores = default_parallelism();
  out = ParallelConfig{.downloads = cores, .hashes = cores, .uploads = cores};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional("downloads", out.downloads));
  ASTACUS_CHECK(r.optional("hashes", out.hashes));
  ASTACUS_CHECK(r.optional("uploads", out.uploads));
  ASTACUS_CHECK(r.finish());
  ASTACUS_CHECK(check_positive(r.path_of("downloads"), out.downloads));
  ASTACUS_CHECK(check_positive(r.path_of("hashes"), out.hashes));
  return check_positive(r.path_of("uploads"), out.uploads);
}

}  // namespace astacus::config

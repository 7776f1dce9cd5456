// parse_manifest and friends (json.h): the top-level BackupManifest object.

#include <array>

#include "manifest/json.h"
#include "manifest/json_path.h"
#include "manifest/json_stream.h"

namespace astacus::manifest {

using Json = nlohmann::ordered_json;
using detail::field_error;
using detail::FieldPath;

namespace {

std::string label(std::string_view name) {
  return name.empty() ? std::string("manifest") : fmt::format("manifest {}", name);
}

/// Refuses manifests written by a newer, incompatible astacus (checked before anything else,
/// because a newer format may change the meaning of the other fields).
Status check_format_version(const Json& j, std::string_view name) {
  if (!j.is_object()) return ok();
  auto it = j.find("format_version");
  if (it == j.end()) return ok();
  auto parsed = detail::int_at(*it, FieldPath{nullptr, "format_version"});
  if (!parsed) return make_error(parsed.error().with_context(label(name)));
  int64_t version = *parsed;
  if (version > kManifestFormatVersion) {
    return errorf(ErrorCode::kInvalidArgument,
                  "{} has format version {}, newer than this astacus supports ({})", label(name),
                  version, kManifestFormatVersion);
  }
  return ok();
}

Result<const Json*> required(const Json& obj, const char* key, const FieldPath* parent = nullptr) {
  auto it = obj.find(key);
  if (it == obj.end()) return field_error(FieldPath{parent, key}, "missing required field");
  return &*it;
}

template <class T, class F>
Result<std::vector<T>> read_results(const Json& obj, const char* key, F reader) {
  const Json* v = ASTACUS_TRY(required(obj, key));
  FieldPath p{nullptr, key};
  if (!v->is_array()) return field_error(p, "expected array");
  std::vector<T> out;
  out.reserve(v->size());
  for (size_t i = 0; i < v->size(); ++i) {
    out.push_back(ASTACUS_TRY(reader((*v)[i], FieldPath{&p, {}, i})));
  }
  return out;
}

Result<std::optional<TieredStorageResults>> read_tiered(const Json& obj) {
  auto it = obj.find("tiered_storage_results");
  if (it == obj.end() || it->is_null()) return std::nullopt;
  FieldPath p{nullptr, "tiered_storage_results"};
  if (!it->is_object()) return field_error(p, "expected object");
  TieredStorageResults out;
  const Json* n = ASTACUS_TRY(required(*it, "n_objects", &p));
  out.n_objects = ASTACUS_TRY(detail::int_at(*n, FieldPath{&p, "n_objects"}));
  const Json* size = ASTACUS_TRY(required(*it, "total_size_bytes", &p));
  out.total_size_bytes = ASTACUS_TRY(detail::int_at(*size, FieldPath{&p, "total_size_bytes"}));
  return out;
}

Status read_identity(const Json& j, std::string_view name, BackupManifest& out) {
  const Json* plugin = ASTACUS_TRY(required(j, "plugin"));
  FieldPath plugin_p{nullptr, "plugin"};
  out.plugin = ASTACUS_TRY(detail::string_at(*plugin, plugin_p));
  if (!is_known_plugin(out.plugin)) {
    return field_error(plugin_p, fmt::format("unknown plugin '{}'", out.plugin));
  }
  if (auto it = j.find("plugin_data"); it != j.end()) {
    if (!it->is_object()) return field_error(FieldPath{nullptr, "plugin_data"}, "expected object");
    out.plugin_data = *it;
  }
  if (auto it = j.find("filename"); it != j.end()) {
    FieldPath p{nullptr, "filename"};
    out.filename = ASTACUS_TRY(detail::string_at(*it, p));
    if (!name.empty() && !out.filename.empty() && out.filename != name) {
      return field_error(p, fmt::format("stored filename '{}' does not match", out.filename));
    }
  }
  if (!name.empty()) out.filename = std::string(name);
  return ok();
}

Result<BackupManifest> manifest_from(const Json& j, std::string_view name) {
  if (!j.is_object()) return field_error(FieldPath{}, "expected object");
  BackupManifest out;
  out.start = ASTACUS_TRY(detail::time_at(*ASTACUS_TRY(required(j, "start")), {nullptr, "start"}));
  out.end = out.start;  // Python defaults a missing end to "now"; the start is the stabler choice
  if (auto it = j.find("end"); it != j.end()) {
    out.end = ASTACUS_TRY(detail::time_at(*it, FieldPath{nullptr, "end"}));
  }
  out.attempt =
      ASTACUS_TRY(detail::int_at(*ASTACUS_TRY(required(j, "attempt")), {nullptr, "attempt"}));
  out.snapshot_results =
      ASTACUS_TRY(read_results<SnapshotResult>(j, "snapshot_results", detail::snapshot_result_at));
  out.upload_results = ASTACUS_TRY(
      read_results<SnapshotUploadResult>(j, "upload_results", detail::upload_result_at));
  ASTACUS_CHECK(read_identity(j, name, out));
  out.tiered_storage_results = ASTACUS_TRY(read_tiered(j));
  return out;
}

/// Runs `body` and prefixes its error with "manifest <name>: "; no exception escapes.
template <class T, class F>
Result<T> in_manifest_context(std::string_view name, F body) {
  Result<T> r = [&]() -> Result<T> {
    try {
      return body();
    } catch (const Json::exception& e) {
      return make_error(ErrorCode::kInvalidArgument, e.what());
    }
  }();
  if (!r) return make_error(r.error().with_context(label(name)));
  return r;
}

}  // namespace

bool is_known_plugin(std::string_view plugin) {
  static constexpr std::array<std::string_view, 5> kPlugins = {"cassandra", "clickhouse", "files",
                                                               "m3db", "flink"};
  for (std::string_view known : kPlugins) {
    if (plugin == known) return true;
  }
  return false;
}

Result<BackupManifest> parse_manifest_json(const Json& j, std::string_view name) {
  ASTACUS_CHECK(check_format_version(j, name));
  return in_manifest_context<BackupManifest>(name, [&] { return manifest_from(j, name); });
}

namespace {

/// Streams `text` (json_stream.h), then checks the format version before anything else.
Result<detail::StreamedJson> parse_streamed_manifest(std::string_view text, std::string_view name,
                                                     std::optional<size_t> only_result,
                                                     detail::KeepLists keep = {},
                                                     const detail::FileVisitor* on_file = nullptr) {
  auto streamed = detail::parse_streamed(text, detail::StreamShape::kManifest, "", only_result, keep, on_file);
  if (!streamed) return make_error(streamed.error().with_context(label(name)));
  ASTACUS_CHECK(check_format_version(streamed->skeleton, name));
  if (streamed->element_error) return make_error(streamed->element_error->with_context(label(name)));
  return streamed;
}

}  // namespace

Result<BackupManifest> parse_manifest(std::string_view json_text, std::string_view name) {
  auto streamed = ASTACUS_TRY(parse_streamed_manifest(json_text, name, std::nullopt));
  auto manifest = ASTACUS_TRY(parse_manifest_json(streamed.skeleton, name));
  for (size_t i = 0; i < streamed.results.size() && i < manifest.snapshot_results.size(); ++i) {
    detail::put_streamed(streamed.results[i], manifest.snapshot_results[i]);
  }
  return manifest;
}

Result<BackupManifest> parse_manifest_outline(std::string_view json_text, std::string_view name) {
  auto streamed = ASTACUS_TRY(parse_streamed_manifest(json_text, name, std::nullopt, {.files = false, .hashes = false}));
  return parse_manifest_json(streamed.skeleton, name);
}

Result<BackupManifest> parse_manifest_visiting_files(
    std::string_view json_text, std::string_view name,
    const std::function<void(size_t, const SnapshotFile&)>& on_file) {
  auto streamed = ASTACUS_TRY(parse_streamed_manifest(json_text, name, std::nullopt,
                                                      {.files = false, .hashes = true}, &on_file));
  auto manifest = ASTACUS_TRY(parse_manifest_json(streamed.skeleton, name));
  for (size_t i = 0; i < streamed.results.size() && i < manifest.snapshot_results.size(); ++i) {
    detail::put_streamed(streamed.results[i], manifest.snapshot_results[i]);
  }
  return manifest;
}

Result<SnapshotResult> parse_manifest_snapshot_result(std::string_view json_text,
                                                      std::string_view name, size_t index) {
  auto streamed = ASTACUS_TRY(parse_streamed_manifest(json_text, name, index));
  const Json& j = streamed.skeleton;
  auto result = in_manifest_context<SnapshotResult>(name, [&]() -> Result<SnapshotResult> {
    if (!j.is_object()) return field_error(FieldPath{}, "expected object");
    const Json* results = ASTACUS_TRY(required(j, "snapshot_results"));
    FieldPath p{nullptr, "snapshot_results"};
    if (!results->is_array()) return field_error(p, "expected array");
    if (index >= results->size()) {
      return errorf(ErrorCode::kNotFound, "no snapshot result {} (it has {})", index,
                    results->size());
    }
    return detail::snapshot_result_at((*results)[index], FieldPath{&p, {}, index});
  });
  if (result && index < streamed.results.size()) detail::put_streamed(streamed.results[index], *result);
  return result;
}

namespace detail {

Result<SnapshotResult> read_snapshot_result_element(std::string_view text, std::string_view path, KeepLists keep,
                                                    const FileVisitor* on_file) {
  auto streamed = ASTACUS_TRY(parse_streamed(text, StreamShape::kSnapshotResult, path, std::nullopt, keep, on_file));
  if (streamed.element_error) return make_error(*streamed.element_error);
  auto result = ASTACUS_TRY(parse_snapshot_result(streamed.skeleton, path));
  if (!streamed.results.empty()) put_streamed(streamed.results[0], result);
  return result;
}

}  // namespace detail

Result<SnapshotResult> parse_snapshot_result_text(std::string_view json_text, std::string_view path) {
  return detail::read_snapshot_result_element(json_text, path, {});
}

Result<SnapshotResult> parse_snapshot_result_outline(std::string_view json_text, std::string_view path) {
  return detail::read_snapshot_result_element(json_text, path, {.files = false, .hashes = true});
}

}  // namespace astacus::manifest

// Writing side of json.h: Python's key order and omissions (msgspec omit_defaults on
// SnapshotFile and SnapshotState only).

#include "manifest/json.h"

namespace astacus::manifest {

using Json = nlohmann::ordered_json;

namespace {

Json time_or_null(const std::optional<SystemTime>& t) {
  return t ? Json(format_rfc3339(*t)) : Json(nullptr);
}

}  // namespace

void to_json(Json& j, const Progress& v) {
  j = Json::object();
  j["handled"] = v.handled;
  j["failed"] = v.failed;
  j["total"] = v.total;
  j["final"] = v.final;
}

void to_json(Json& j, const SnapshotFile& v) {
  j = Json::object();
  j["relative_path"] = v.relative_path;
  j["file_size"] = v.file_size;
  j["mtime_ns"] = v.mtime_ns;
  if (!v.hexdigest.empty()) j["hexdigest"] = v.hexdigest;
  if (v.content_b64) j["content_b64"] = *v.content_b64;
}

void to_json(Json& j, const SnapshotHash& v) {
  j = Json::object();
  j["hexdigest"] = v.hexdigest;
  j["size"] = v.size;
}

void to_json(Json& j, const SnapshotState& v) {
  j = Json::object();
  if (!v.root_globs.empty()) j["root_globs"] = v.root_globs;
  if (!v.files.empty()) j["files"] = v.files;
}

void to_json(Json& j, const SnapshotResult& v) {
  j = Json::object();
  j["start"] = time_or_null(v.start);
  j["end"] = time_or_null(v.end);
  j["state"] = v.state ? Json(*v.state) : Json(nullptr);
  j["files"] = v.files;
  j["total_size"] = v.total_size;
  j["hashes"] = v.hashes ? Json(*v.hashes) : Json(nullptr);
  j["hostname"] = v.hostname;
  j["az"] = v.az;
  j["progress"] = v.progress;
}

void to_json(Json& j, const SnapshotUploadResult& v) {
  j = Json::object();
  j["hostname"] = v.hostname;
  j["az"] = v.az;
  j["progress"] = v.progress;
  j["total_size"] = v.total_size;
  j["total_stored_size"] = v.total_stored_size;
}

void to_json(Json& j, const TieredStorageResults& v) {
  j = Json::object();
  j["n_objects"] = v.n_objects;
  j["total_size_bytes"] = v.total_size_bytes;
}

void to_json(Json& j, const BackupManifest& v) {
  j = Json::object();
  j["start"] = format_rfc3339(v.start);
  j["end"] = format_rfc3339(v.end);
  j["attempt"] = v.attempt;
  j["snapshot_results"] = v.snapshot_results;
  j["upload_results"] = v.upload_results;
  j["plugin"] = v.plugin;
  j["plugin_data"] = v.plugin_data.is_null() ? Json::object() : v.plugin_data;
  j["filename"] = v.filename;
  j["tiered_storage_results"] =
      v.tiered_storage_results ? Json(*v.tiered_storage_results) : Json(nullptr);
}

std::string dump_compact(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string serialize_manifest(const BackupManifest& manifest) {
  return dump_compact(Json(manifest));
}

}  // namespace astacus::manifest

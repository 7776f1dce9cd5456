// Writing side of json.h: Python's key order and omissions (msgspec omit_defaults on
// SnapshotFile and SnapshotState only).

#include <charconv>
#include <type_traits>

#include "manifest/json.h"
#include "manifest/json_text.h"

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
  if (!v.hexdigest.empty()) j["hexdigest"] = v.hexdigest.str();
  if (v.content_b64) j["content_b64"] = *v.content_b64;
}

void to_json(Json& j, const SnapshotHash& v) {
  j = Json::object();
  j["hexdigest"] = v.hexdigest.str();
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
  size_t entries = 0;
  for (const auto& r : manifest.snapshot_results) entries += r.state ? r.state->files.size() : 0;
  std::string out;
  out.reserve(entries * 200 + 4096);  // a typical file entry plus its hash; growing copies it all
  append_json(out, manifest);
  return out;
}

// ---- direct text writers (json_text.h) ----

namespace {

bool is_plain_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

/// `,"key":` (or `"key":` for the first member).
void key(std::string& out, std::string_view name, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
}

void append_time_or_null(std::string& out, const std::optional<SystemTime>& t) {
  if (t) {
    append_json_string(out, format_rfc3339(*t));
  } else {
    out += "null";
  }
}

/// Hands the text written so far to a sink once it reaches `chunk` bytes (write_manifest), so
/// a long list is never held whole. After a sink error nothing more is handed on.
/// With `lists`, the file lists it holds are written in place of empty state.files.
struct Spill {
  const TextSink& sink;
  size_t chunk;
  const FileListTexts* lists = nullptr;
  size_t result_index = 0;  // of the snapshot result being written
  Status status = ok();

  void maybe(std::string& out) {
    if (out.size() < chunk) return;
    flush(out);
  }

  void flush(std::string& out) {
    if (status && !out.empty()) status = sink(out);
    out.clear();
  }

  /// Whether the current result's file list comes from `lists`.
  bool splices() const { return lists && lists->has(result_index); }

  /// Writes the current result's file list text after what `out` holds.
  void splice(std::string& out) {
    flush(out);
    if (status) status = lists->write(result_index, sink);
  }
};

template <class T>
void append_array(std::string& out, const std::vector<T>& items, Spill* spill = nullptr) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if constexpr (std::is_same_v<T, std::string>) {
      append_json_string(out, items[i]);
    } else {
      append_json(out, items[i]);
    }
    if (spill) spill->maybe(out);
  }
  out += ']';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  if (!is_plain_ascii(s)) {
    // Escapes, non-ASCII and invalid UTF-8 are rare in paths: let nlohmann decide them.
    out += dump_compact(Json(std::string(s)));
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void append_json(std::string& out, const Progress& v) {
  out += "{\"handled\":";
  append_int(out, v.handled);
  key(out, "failed");
  append_int(out, v.failed);
  key(out, "total");
  append_int(out, v.total);
  key(out, "final");
  append_bool(out, v.final);
  out += '}';
}

void append_hexdigest(std::string& out, const Hexdigest& h) {
  if (!h.canonical()) return append_json_string(out, h.str());
  out += '"';
  h.append_to(out);
  out += '"';
}

void append_json(std::string& out, const SnapshotFile& v) {
  out += "{\"relative_path\":";
  append_json_string(out, v.relative_path);
  key(out, "file_size");
  append_int(out, v.file_size);
  key(out, "mtime_ns");
  append_int(out, v.mtime_ns);
  if (!v.hexdigest.empty()) {
    key(out, "hexdigest");
    append_hexdigest(out, v.hexdigest);
  }
  if (v.content_b64) {
    key(out, "content_b64");
    append_json_string(out, *v.content_b64);
  }
  out += '}';
}

namespace {

void append_hash(std::string& out, const Hexdigest& hexdigest, int64_t size) {
  out += "{\"hexdigest\":";
  append_hexdigest(out, hexdigest);
  key(out, "size");
  append_int(out, size);
  out += '}';
}

}  // namespace

void append_json(std::string& out, const SnapshotHash& v) { append_hash(out, v.hexdigest, v.size); }

namespace {

void append_state(std::string& out, const SnapshotState& v, Spill* spill) {
  out += '{';
  bool first = true;
  if (!v.root_globs.empty()) {
    key(out, "root_globs", first);
    first = false;
    append_array(out, v.root_globs);
  }
  if (!v.files.empty()) {
    key(out, "files", first);
    append_array(out, v.files, spill);
  } else if (spill && spill->splices()) {
    key(out, "files", first);
    spill->splice(out);
  }
  out += '}';
}

// "hashes" as a node reports them: one per file that is not embedded, in file order.
void append_hashes_of_files(std::string& out, const SnapshotState& state, Spill* spill) {
  out += '[';
  bool first = true;
  for (const auto& file : state.files) {
    if (file.embedded()) continue;
    if (!first) out += ',';
    first = false;
    append_hash(out, file.hexdigest, file.file_size);
    if (spill) spill->maybe(out);
  }
  out += ']';
}

void append_result_members(std::string& out, const SnapshotResult& v, Spill* spill, bool hashes_of_files = false) {
  key(out, "start", true);
  append_time_or_null(out, v.start);
  key(out, "end");
  append_time_or_null(out, v.end);
  key(out, "state");
  if (v.state) {
    append_state(out, *v.state, spill);
  } else {
    out += "null";
  }
  key(out, "files");
  append_int(out, v.files);
  key(out, "total_size");
  append_int(out, v.total_size);
  key(out, "hashes");
  if (hashes_of_files && v.state) {
    append_hashes_of_files(out, *v.state, spill);
  } else if (v.hashes) {
    append_array(out, *v.hashes, spill);
  } else {
    out += "null";
  }
}

void append_result(std::string& out, const SnapshotResult& v, Spill* spill) {
  out += '{';
  append_result_members(out, v, spill);
  key(out, "hostname");
  append_json_string(out, v.hostname);
  key(out, "az");
  append_json_string(out, v.az);
  key(out, "progress");
  append_json(out, v.progress);
  out += '}';
}

}  // namespace

void append_json(std::string& out, const SnapshotState& v) { append_state(out, v, nullptr); }

void append_snapshot_result_members(std::string& out, const SnapshotResult& v) {
  append_result_members(out, v, nullptr);
}

namespace {

Status write_result_members(const SnapshotResult& v, const TextSink& sink, size_t chunk, bool hashes_of_files) {
  std::string out;
  out.reserve(chunk + 64 * 1024);
  Spill spill{sink, chunk};
  append_result_members(out, v, &spill, hashes_of_files);
  if (!spill.status) return spill.status;
  return sink(out);
}

}  // namespace

Status write_snapshot_result_members(const SnapshotResult& v, const TextSink& sink, size_t chunk) {
  return write_result_members(v, sink, chunk, false);
}

Status write_snapshot_result_members_hashing_files(const SnapshotResult& v, const TextSink& sink, size_t chunk) {
  return write_result_members(v, sink, chunk, true);
}

void append_json(std::string& out, const SnapshotResult& v) { append_result(out, v, nullptr); }

void append_json(std::string& out, const SnapshotUploadResult& v) {
  out += "{\"hostname\":";
  append_json_string(out, v.hostname);
  key(out, "az");
  append_json_string(out, v.az);
  key(out, "progress");
  append_json(out, v.progress);
  key(out, "total_size");
  append_int(out, v.total_size);
  key(out, "total_stored_size");
  append_int(out, v.total_stored_size);
  out += '}';
}

namespace {

void append_manifest(std::string& out, const BackupManifest& v, Spill* spill) {
  out += "{\"start\":";
  append_json_string(out, format_rfc3339(v.start));
  key(out, "end");
  append_json_string(out, format_rfc3339(v.end));
  key(out, "attempt");
  append_int(out, v.attempt);
  key(out, "snapshot_results");
  out += '[';
  for (size_t i = 0; i < v.snapshot_results.size(); ++i) {
    if (i) out += ',';
    if (spill) spill->result_index = i;
    append_result(out, v.snapshot_results[i], spill);
  }
  out += ']';
  key(out, "upload_results");
  append_array(out, v.upload_results);
  key(out, "plugin");
  append_json_string(out, v.plugin);
  key(out, "plugin_data");
  out += dump_compact(v.plugin_data.is_null() ? Json::object() : v.plugin_data);
  key(out, "filename");
  append_json_string(out, v.filename);
  key(out, "tiered_storage_results");
  if (v.tiered_storage_results) {
    out += dump_compact(Json(*v.tiered_storage_results));
  } else {
    out += "null";
  }
  out += '}';
}

}  // namespace

void append_json(std::string& out, const BackupManifest& v) { append_manifest(out, v, nullptr); }

Status write_manifest(const BackupManifest& manifest, const TextSink& sink, size_t chunk,
                      const FileListTexts* lists) {
  std::string out;
  out.reserve(chunk + 64 * 1024);
  Spill spill{sink, chunk, lists};
  append_manifest(out, manifest, &spill);
  if (!spill.status) return spill.status;
  return sink(out);
}

}  // namespace astacus::manifest

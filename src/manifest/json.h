#pragma once
// JSON form of the manifest types, exactly as Python Astacus (msgspec) writes it: same key
// order, same omissions, compact separators.
//
// Writing (to_json, usable as `nlohmann::ordered_json j = value;`):
//   BackupManifest  {start,end,attempt,snapshot_results,upload_results,plugin,plugin_data,
//                    filename,tiered_storage_results(null when unset)}
//   SnapshotResult {start,end(null),state(null),files,total_size,hashes(null),hostname,az,progress}
//   SnapshotState   {root_globs,files} — each omitted when empty
//   SnapshotFile    {relative_path,file_size,mtime_ns,hexdigest(omitted when ""),
//                    content_b64(omitted when unset)}
//   SnapshotHash {hexdigest,size}; Progress {handled,failed,total,final};
//   SnapshotUploadResult {hostname,az,progress,total_size,total_stored_size};
//   TieredStorageResults {n_objects,total_size_bytes}.
// Timestamps use format_rfc3339. Strings that are not valid UTF-8 are written with U+FFFD.
//
// Reading (parse_*): fields with a Python default may be missing; unknown fields are ignored
// (forward compatibility). Errors are InvalidArgument and name the field path, e.g.
// "snapshot_results[0].state.files[3].mtime_ns: expected integer"; parse_manifest prefixes
// "manifest <name>: ". Values are validated: relative_path must pass is_safe_relative_path,
// hexdigests are 64 lowercase hex digits, content_b64 is valid base64, sizes are >= 0, and a
// file has exactly one of hexdigest / content_b64. No exception escapes.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "manifest/types.h"

namespace astacus::manifest {

/// The manifest format this code reads and writes. A manifest carrying a top-level
/// "format_version" greater than this is refused (Python manifests have none = version 1).
inline constexpr int64_t kManifestFormatVersion = 1;

void to_json(nlohmann::ordered_json& j, const Progress& v);
void to_json(nlohmann::ordered_json& j, const SnapshotFile& v);
void to_json(nlohmann::ordered_json& j, const SnapshotHash& v);
void to_json(nlohmann::ordered_json& j, const SnapshotState& v);
void to_json(nlohmann::ordered_json& j, const SnapshotResult& v);
void to_json(nlohmann::ordered_json& j, const SnapshotUploadResult& v);
void to_json(nlohmann::ordered_json& j, const TieredStorageResults& v);
void to_json(nlohmann::ordered_json& j, const BackupManifest& v);

/// Compact JSON text (no spaces), byte-identical to Python's manifest for the same content.
std::string serialize_manifest(const BackupManifest& manifest);

/// Compact dump of any ordered JSON value with the same settings as serialize_manifest.
std::string dump_compact(const nlohmann::ordered_json& j);

/// Parses a stored manifest (streaming: the file lists never exist as a DOM). `name` is the manifest's object name without "json/" (e.g.
/// "backup-2026-11-24T07:30:26+00:00"); it appears in every error and, when non-empty, becomes
/// `filename` (as Python's download_backup_manifest does; a different non-empty stored
/// filename is an error). Refuses a "format_version" newer than kManifestFormatVersion.
Result<BackupManifest> parse_manifest(std::string_view json_text, std::string_view name);

/// parse_manifest, every element checked alike, but each state.files and hashes list comes back
/// empty (the counts `files` and `total_size` stay): what a restore's coordinator needs, whose
/// nodes read their own lists. Holding all of them cost ~230 bytes per file of the cluster.
Result<BackupManifest> parse_manifest_outline(std::string_view json_text, std::string_view name);

/// parse_manifest, every element checked alike, but each file entry is handed to `on_file`
/// (snapshot result index, entry) as it is read instead of kept: state.files come back empty,
/// hashes are kept. For readers that only aggregate the files (cleanup's list statistics).
Result<BackupManifest> parse_manifest_visiting_files(
    std::string_view json_text, std::string_view name,
    const std::function<void(size_t, const SnapshotFile&)>& on_file);
Result<BackupManifest> parse_manifest_json(const nlohmann::ordered_json& j, std::string_view name);

/// Parses a manifest but converts only snapshot_results[index] (what a node needs for a
/// download). NotFound when the index is out of range.
Result<SnapshotResult> parse_manifest_snapshot_result(std::string_view json_text,
                                                      std::string_view name, size_t index);

/// A stored manifest's text, pushed piece by piece into the sink given (a storage download). It
/// is called a second time, for the whole text, when a streamed read falls back.
using TextFeed = std::function<Status(const std::function<Status(std::string_view)>& sink)>;

/// parse_manifest_outline, parse_manifest_visiting_files and parse_manifest_snapshot_result,
/// reading the text as it streams in: one snapshot result's text is held at a time instead of
/// the whole manifest (json_split.h). Anything unexpected makes them read the whole text with
/// those parsers, so errors are the same. On such a fall back, `restart` is called before the
/// files are visited again. read_manifest_snapshot_result looks at other nodes' results only
/// for their structure (a node needs its own; the coordinator checked the whole manifest).
Result<BackupManifest> read_manifest_outline(const TextFeed& feed, std::string_view name);
Result<BackupManifest> read_manifest_visiting_files(const TextFeed& feed, std::string_view name,
                                                    const std::function<void(size_t, const SnapshotFile&)>& on_file,
                                                    const std::function<void()>& restart);
Result<SnapshotResult> read_manifest_snapshot_result(const TextFeed& feed, std::string_view name, size_t index);

/// Parses a node's snapshot result (the /snapshot status body) from text, converting its file
/// list and hashes element by element instead of through a DOM of the whole body. `path`
/// prefixes field paths in errors.
Result<SnapshotResult> parse_snapshot_result_text(std::string_view json_text,
                                                  std::string_view path = "");

/// parse_snapshot_result_text, every file entry checked alike, but state.files comes back empty
/// (hashes are kept): for a reader that keeps the file list as text (json_skim.h finds it).
Result<SnapshotResult> parse_snapshot_result_outline(std::string_view json_text,
                                                     std::string_view path = "");

// Per-type parsers. `path` is the field path of `j` used in error messages ("" = top level).
// Overloads exist for both nlohmann::json (e.g. HTTP bodies) and nlohmann::ordered_json.
Result<Progress> parse_progress(const nlohmann::json& j, std::string_view path = "");
Result<Progress> parse_progress(const nlohmann::ordered_json& j, std::string_view path = "");
Result<SnapshotFile> parse_snapshot_file(const nlohmann::json& j, std::string_view path = "");
Result<SnapshotFile> parse_snapshot_file(const nlohmann::ordered_json& j,
                                         std::string_view path = "");
Result<SnapshotHash> parse_snapshot_hash(const nlohmann::json& j, std::string_view path = "");
Result<SnapshotHash> parse_snapshot_hash(const nlohmann::ordered_json& j,
                                         std::string_view path = "");
Result<SnapshotState> parse_snapshot_state(const nlohmann::json& j, std::string_view path = "");
Result<SnapshotState> parse_snapshot_state(const nlohmann::ordered_json& j,
                                           std::string_view path = "");
Result<SnapshotResult> parse_snapshot_result(const nlohmann::json& j, std::string_view path = "");
Result<SnapshotResult> parse_snapshot_result(const nlohmann::ordered_json& j,
                                             std::string_view path = "");
Result<SnapshotUploadResult> parse_snapshot_upload_result(const nlohmann::json& j,
                                                          std::string_view path = "");
Result<SnapshotUploadResult> parse_snapshot_upload_result(const nlohmann::ordered_json& j,
                                                          std::string_view path = "");

/// True for 64 lowercase hex digits (a BLAKE2s-256 hexdigest).
bool is_valid_hexdigest(std::string_view hexdigest);

/// True for the plugin names Python knows: cassandra, clickhouse, files, m3db, flink.
bool is_known_plugin(std::string_view plugin);

}  // namespace astacus::manifest

#pragma once
// The backup manifest and its parts, field for field as Python Astacus writes them
// (astacus/common/ipc.py). JSON conversion lives in json.h; key naming in naming.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "manifest/hexdigest.h"

namespace astacus::manifest {

/// {handled, failed, total, final}. Success = final && failed == 0 && handled == total.
struct Progress {
  int64_t handled = 0;
  int64_t failed = 0;
  int64_t total = 0;
  bool final = false;

  bool finished_successfully() const { return final && failed == 0 && handled == total; }
  bool finished_failed() const { return final && !finished_successfully(); }
  /// Element-wise sum; final = all final (true for an empty list).
  static Progress merge(const std::vector<Progress>& parts);
};

/// One file of a node snapshot. Exactly one of hexdigest (blob) / content_b64 (embedded) is set.
struct SnapshotFile {
  std::string relative_path;  // '/'-separated, relative to node root
  int64_t file_size = 0;
  int64_t mtime_ns = 0;
  Hexdigest hexdigest;                     // empty for embedded files
  std::optional<std::string> content_b64;  // set for embedded files ("" for empty files)

  bool embedded() const { return content_b64.has_value(); }
  bool operator==(const SnapshotFile&) const = default;
};

struct SnapshotHash {
  Hexdigest hexdigest;
  int64_t size = 0;
  bool operator==(const SnapshotHash&) const = default;
};

struct SnapshotState {
  std::vector<std::string> root_globs;
  std::vector<SnapshotFile> files;  // sorted by relative_path
};

/// Per node: the node's /snapshot result and the manifest's snapshot_results[i].
struct SnapshotResult {
  std::string hostname;
  std::string az;
  Progress progress;
  std::optional<SystemTime> start;
  std::optional<SystemTime> end;
  std::optional<SnapshotState> state;
  int64_t files = 0;       // count of all files, embedded included
  int64_t total_size = 0;  // byte sum of all files
  std::optional<std::vector<SnapshotHash>> hashes;  // one per hashed file, in file order
};

/// Per uploading node (NOT index-aligned with nodes).
struct SnapshotUploadResult {
  std::string hostname;
  std::string az;
  Progress progress;
  int64_t total_size = 0;         // plaintext bytes uploaded
  int64_t total_stored_size = 0;  // bytes stored after compression/encryption
};

struct TieredStorageResults {
  int64_t n_objects = 0;
  int64_t total_size_bytes = 0;
};

struct BackupManifest {
  SystemTime start;  // start of the successful attempt
  SystemTime end;    // when the manifest was built
  int64_t attempt = 1;
  std::vector<SnapshotResult> snapshot_results;
  std::vector<SnapshotUploadResult> upload_results;
  std::string plugin;
  nlohmann::ordered_json plugin_data = nlohmann::ordered_json::object();
  std::string filename;  // written empty; set to the object name when read back
  std::optional<TieredStorageResults> tiered_storage_results;
};

}  // namespace astacus::manifest

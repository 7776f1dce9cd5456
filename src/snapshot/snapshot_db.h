#pragma once
// Private to the snapshot layer: the persistent snapshot state, one SQLite file (WAL mode).
//
//   files(relative_path TEXT PRIMARY KEY, file_size, mtime_ns, inode, hexdigest, content_b64)
//   meta(key TEXT PRIMARY KEY, value)   -- schema_version, root
//
// The DB is a cache of (path, size, mtime_ns, inode) → content. It survives process restarts (a
// restart re-hashes nothing). Opening a DB recorded for another root, of another schema version,
// or that SQLite reports as corrupt starts from an empty table instead (logged).
//
// Thread-safety: every method is safe to call concurrently (one internal mutex serialises access).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "manifest/types.h"

struct sqlite3;

namespace astacus::snapshot::internal {

/// One row: the manifest entry plus the inode the content was read from.
struct FileRow {
  manifest::SnapshotFile file;
  int64_t inode = 0;
};

/// Every row of the table, in two parallel vectors: a snapshot hands `files` on as its result
/// without copying them (FileRow's pairing would need a second vector of every file).
struct LoadedRows {
  std::vector<manifest::SnapshotFile> files;
  std::vector<int64_t> inodes;  // inodes[i] belongs to files[i]
};

class SnapshotDb {
 public:
  /// Opens or creates `db_file` (and its parent directory) for the tree `root`.
  static Result<std::unique_ptr<SnapshotDb>> open(const std::filesystem::path& db_file,
                                                  const std::string& root);
  ~SnapshotDb();
  SnapshotDb(const SnapshotDb&) = delete;
  SnapshotDb& operator=(const SnapshotDb&) = delete;

  /// All rows, in the table's order.
  Result<LoadedRows> load() const;
  /// In one transaction: deletes the `removed` paths and inserts or replaces `upserts`.
  Status apply(const std::vector<std::string>& removed, const std::vector<const FileRow*>& upserts);
  /// All rows sorted by relative path (byte order).
  Result<std::vector<manifest::SnapshotFile>> files() const;
  /// Calls `f` with each row's (relative path, hexdigest), in the table's order, holding the DB's
  /// mutex: for readers that keep a few of a million rows.
  Status for_each_digest(const std::function<void(std::string_view, const manifest::Hexdigest&)>& f) const;
  Result<std::optional<FileRow>> find(std::string_view relative_path) const;
  /// Relative paths of rows with this hexdigest, sorted. A scan of the table (no index).
  Result<std::vector<std::string>> paths_with_hexdigest(std::string_view hexdigest) const;
  /// Relative paths of rows with any of these hexdigests, sorted: one scan for all of them.
  Result<std::vector<std::string>> paths_with_any_hexdigest(std::vector<manifest::Hexdigest> hexdigests) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  SnapshotDb(std::filesystem::path path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::filesystem::path path_;
  mutable std::mutex mu_;
  sqlite3* db_;
};

}  // namespace astacus::snapshot::internal

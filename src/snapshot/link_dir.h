#pragma once
// Private to the snapshot layer: the hard-link copies under a link directory, and lstat helpers.
//
// Thread-safety: a LinkDir is used by one thread at a time; the free functions are reentrant.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_set>

#include "base/result.h"

namespace astacus::snapshot::internal {

/// The identity of a file's content as far as the snapshot cares.
struct FileStat {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t inode = 0;
  bool operator==(const FileStat&) const = default;
};

/// lstat of a regular file; nullopt when the path is missing or not a regular file (symlinks
/// included). Other failures (e.g. permission) are IoError naming the path.
Result<std::optional<FileStat>> stat_regular(const std::filesystem::path& path);
/// The same for `name` in the directory `dir_fd` (no lookup of the whole path), the file
/// `rel` below `root`: that path is built only for an error message (building it for every file
/// was a visible part of walking an unchanged tree).
Result<std::optional<FileStat>> stat_regular_at(int dir_fd, const char* name, const std::filesystem::path& root,
                                                std::string_view rel);

class LinkDir {
 public:
  explicit LinkDir(std::filesystem::path root) : root_(std::move(root)) {}

  /// Makes <root>/<rel> a hard link of `source`: links to a temp name in the same directory, then
  /// renames it over the target (replacing a file or a stale directory tree there). Missing parent
  /// directories are created; non-directories in their way are removed. Returns the stat of the
  /// linked inode, or nullopt when `source` vanished or is no longer a regular file.
  Result<std::optional<FileStat>> link(const std::filesystem::path& source, const std::string& rel);

  /// Removes <root>/<rel>; a missing file is fine. Both methods refuse (InvalidArgument) a `rel`
  /// that confine() refuses.
  Status remove(const std::string& rel);

 private:
  Status ensure_dir(const std::filesystem::path& rel_dir);

  std::filesystem::path root_;
  bool root_checked_ = false;                   // root_ itself exists (re-created if removed)
  std::unordered_set<std::string> known_dirs_;  // relative directories verified this run
};

}  // namespace astacus::snapshot::internal

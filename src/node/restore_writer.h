#pragma once
// Writes restored files under the node root safely: the path goes through confine(), no
// directory on the way may be a symlink (so a manifest cannot redirect writes outside the
// root), content goes to a temp file in the target directory, gets mode 0660 & ~umask and the
// backup's mtime, and is renamed over the target only when complete.
// Files are not fsynced one by one: the download op syncs the whole filesystem once before it
// reports success (a crash before that leaves files a rerun detects by size and hash).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::node {

/// Creates the parent directories of root/rel and returns the full target path.
Result<std::filesystem::path> prepare_target(const std::filesystem::path& root,
                                             const std::string& rel);

/// Makes root/rel hold `data` with mtime = mtime_ns: a missing file is created in place, an
/// existing one is replaced atomically (temp file + rename). No fsync (the restore syncs once).
Status write_restored_file(const std::filesystem::path& root, const std::string& rel,
                           std::string_view data, int64_t mtime_ns);

/// Sets the mtime (and atime) of an existing file under root.
Status set_mtime(const std::filesystem::path& path, int64_t mtime_ns);

}  // namespace astacus::node

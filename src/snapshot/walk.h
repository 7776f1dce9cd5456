#pragma once
// Private to the snapshot layer: a recursive directory walk that reports regular files by their
// '/'-separated path relative to the walk root. Symlinks (to files or directories) are neither
// reported nor followed. Unreadable or vanishing sub-directories are skipped with a warning (as
// Python's os.walk does); a missing walk root is an empty tree, an unreadable one an error.
//
// Thread-safety: reentrant; callbacks run on the calling thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::snapshot::internal {

struct WalkCallbacks {
  /// Called for every sub-directory (relative path, base name); false = do not enter it.
  std::function<bool(const std::string& rel, std::string_view name)> enter_dir;
  /// Called for every regular file with its directory's fd and base name (for a cheap
  /// fstatat instead of a lookup of the whole path) and the inode number the directory entry
  /// gives (d_ino: free, but on some filesystems, overlayfs for one, not always st_ino); an
  /// error stops the walk and is returned.
  std::function<Status(std::string rel, int dir_fd, const char* name, uint64_t entry_inode)> on_file;
  /// Polled between directories; true = stop with Cancelled.
  std::function<bool()> cancelled;
};

Status walk_files(const std::filesystem::path& root, const WalkCallbacks& callbacks);

}  // namespace astacus::snapshot::internal

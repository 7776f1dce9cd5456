#pragma once
// Internal POSIX helpers for the local backend: durable writes and tolerant unlinks.

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace astacus::storage::local {

/// Creates `path` exclusively for writing; returns its descriptor. A missing parent directory is
/// created (only then: checking it first cost two stats per object).
Result<int> create_new_file(const std::filesystem::path& path);

/// Writes all of `data` to `fd` (IoError naming `path`).
Status write_all(int fd, std::string_view data, const std::filesystem::path& path);

/// fsyncs (when `sync`) and closes `fd`; the descriptor is closed even on failure.
Status close_file(int fd, const std::filesystem::path& path, bool sync);

/// Creates `path` exclusively, writes `data`, fsyncs (when `sync`) and closes it. Removes it on
/// failure.
Status write_new_file(const std::filesystem::path& path, std::string_view data, bool sync);


/// rename(2) with an IoError naming both paths; a missing parent directory of `to` is created.
Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// unlink(2); a missing file is fine. Sets `*removed` (if given) when something was removed.
Status unlink_if_exists(const std::filesystem::path& path, bool* removed = nullptr);

/// Names of the regular files directly in `dir` (readdir order; no symlinks, no directories),
/// handed to `on_name` one at a time (the view lasts for the call). A missing directory lists
/// as empty. One getdents pass, no per-entry path objects and no list of every name: the data
/// directory of a big store holds hundreds of thousands.
Status for_each_regular_file(const std::filesystem::path& dir,
                             const std::function<void(std::string_view)>& on_name);

/// fsyncs a directory so renames inside it survive a crash.
Status sync_directory(const std::filesystem::path& dir);

}  // namespace astacus::storage::local

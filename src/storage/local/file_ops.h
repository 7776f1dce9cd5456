#pragma once
// Internal POSIX helpers for the local backend: durable writes and tolerant unlinks.

#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace astacus::storage::local {

/// Creates `path` exclusively, writes `data`, fsyncs (when `sync`) and closes it. Removes it on
/// failure.
Status write_new_file(const std::filesystem::path& path, std::string_view data, bool sync);


/// rename(2) with an IoError naming both paths.
Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// unlink(2); a missing file is fine. Sets `*removed` (if given) when something was removed.
Status unlink_if_exists(const std::filesystem::path& path, bool* removed = nullptr);

/// fsyncs a directory so renames inside it survive a crash.
Status sync_directory(const std::filesystem::path& dir);

}  // namespace astacus::storage::local

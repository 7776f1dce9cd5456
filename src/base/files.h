#pragma once
// Small local-file helpers with Result errors that name the path.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus {

/// Reads a whole file (or its first `max_bytes` bytes).
Result<std::string> read_file(const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);

/// Writes `data` to a temp file in the same directory, fsyncs it and renames it over `path`,
/// so readers see either the old or the new content. Creates parent directories.
Status write_file_atomic(const std::filesystem::path& path, std::string_view data);

/// Creates `dir` and its parents if missing.
Status ensure_directory(const std::filesystem::path& dir);

/// A random lowercase hex string of `n` characters (for temp names and ids).
std::string random_hex(size_t n);

/// syncfs(2) of the filesystem holding directory `dir`: every dirty page on it reaches the
/// disk. One call instead of an fsync per file after writing many files.
Status sync_filesystem(const std::filesystem::path& dir);

}  // namespace astacus

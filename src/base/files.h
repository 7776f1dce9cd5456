#pragma once
// Small local-file helpers with Result errors that name the path.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus {

/// open(2) for reading (with O_CLOEXEC and `extra_flags`) that leaves the file's atime alone
/// where the kernel lets it (O_NOATIME: owner or CAP_FOWNER): a backup reading a database's files
/// should not dirty their inodes, and restore reads thousands of blobs. -1 with errno on failure.
int open_for_reading(const std::filesystem::path& path, int extra_flags = 0);

/// Reads a whole file (or its first `max_bytes` bytes).
Result<std::string> read_file(const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);
/// The same from an open descriptor (from its offset); `path` only names it in errors.
Result<std::string> read_open_file(int fd, const std::filesystem::path& path, uint64_t max_bytes = UINT64_MAX);

/// What the kernel says about a file's content without reading it. Every write changes mtime and
/// ctime, so an unchanged identity means unchanged bytes, except for a write landing within the
/// timestamp granularity of the recorded mtime: trust only identities whose mtime was well in the
/// past when they were taken (see is_settled).
struct FileIdentity {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};
Result<FileIdentity> file_identity(int fd, const std::filesystem::path& path);
/// The wall-clock time (ns since the epoch) to compare identities' mtimes with.
int64_t wall_clock_ns();
/// True when `identity` was taken at `taken_at_ns` and its mtime lies at least two seconds before
/// that (covers coarse timestamps of 1-2 s granularity and clock skew between kernel and caller).
bool is_settled(const FileIdentity& identity, int64_t taken_at_ns);

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

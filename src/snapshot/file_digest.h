#pragma once
// Private to the snapshot layer: reads a file's first bytes into either its embedded content or
// its BLAKE2s-256 digest (OpenSSL EVP "BLAKE2S-256", 32-byte digest, lowercase hex).
// To be replaced by the shared codec hasher once it exists.
//
// Thread-safety: all functions are reentrant; the read callbacks run on the calling thread.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/files.h"
#include "base/result.h"

namespace astacus::snapshot::internal {

/// What was read: exactly one of hexdigest / content_b64 is meaningful.
struct FileContent {
  int64_t bytes_read = 0;  // may be below max_bytes if the file shrank
  std::string hexdigest;   // "" when embedded
  std::optional<std::string> content_b64;
  FileIdentity identity;           // fstat of the open file just before it was read
  int64_t identity_taken_at_ns = 0;  // wall clock just before that fstat
};

/// Reads at most `max_bytes` from `path` in 1 MiB chunks. embed = true returns the base64 of the
/// bytes, else their BLAKE2s-256 hex digest. `on_chunk(n)` is called after every chunk of n bytes
/// and returns false to stop (→ Cancelled). A missing file is NotFound. `bytes_out`, when given
/// (and not embedding), gets the bytes digested appended to it.
Result<FileContent> read_file_content(const std::filesystem::path& path, int64_t max_bytes,
                                      bool embed,
                                      const std::function<bool(int64_t)>& on_chunk = {},
                                      std::string* bytes_out = nullptr);

/// BLAKE2s-256 hex digest of a buffer (for tests and small inputs).
Result<std::string> blake2s_hex(std::string_view data);

}  // namespace astacus::snapshot::internal

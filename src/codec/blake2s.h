#pragma once
// BLAKE2s-256 (OpenSSL EVP "BLAKE2S-256"): the content address of Astacus blobs, identical to
// Python's hashlib.blake2s() default (64 lowercase hex characters).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// Incremental hasher. Not thread-safe; one instance per stream. finish_hex() ends the stream:
/// call it once, after which update() must not be called again.
class Blake2sHasher {
 public:
  Blake2sHasher();
  ~Blake2sHasher();
  Blake2sHasher(const Blake2sHasher&) = delete;
  Blake2sHasher& operator=(const Blake2sHasher&) = delete;

  void update(std::string_view data);
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One-shot BLAKE2s-256 hex of `data`.
std::string blake2s_hex(std::string_view data);

/// Hashes the first `max_bytes` bytes of the file at `path`, reading 1 MiB at a time. A file
/// that grew after it was snapshotted is hashed only up to `max_bytes`; a shorter file is hashed
/// as it is (the caller compares sizes if it cares). Errors: NotFound / IoError naming the path.
Result<std::string> blake2s_file_hex(const std::filesystem::path& path, uint64_t max_bytes);

}  // namespace astacus::codec

#pragma once
// SHA-256 hex, used for the `_hash` field of local-storage sidecars.

#include <memory>
#include <string>
#include <string_view>

namespace astacus::codec {

/// Lowercase hex SHA-256 of `data`. Thread-safe.
std::string sha256_hex(std::string_view data);

/// Incremental SHA-256 (a sidecar's hash of an object written chunk by chunk). One instance per
/// stream; finish_hex() once, after the last update().
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void update(std::string_view data);
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace astacus::codec

#pragma once
// SHA-256 hex, used for the `_hash` field of local-storage sidecars.

#include <string>
#include <string_view>

namespace astacus::codec {

/// Lowercase hex SHA-256 of `data`. Thread-safe.
std::string sha256_hex(std::string_view data);

}  // namespace astacus::codec

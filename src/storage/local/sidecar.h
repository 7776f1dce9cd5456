#pragma once
// The local backend's `<object>.metadata` sidecar (storage-formats.md §2.4): one JSON object of
// strings, written byte-for-byte like Python's json.dump defaults, with "_hash" (SHA-256 hex of
// the stored bytes) last. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/backend.h"

namespace astacus::storage::local {

struct Sidecar {
  Metadata metadata;  // in file order, without "_hash"
  std::string hash;   // "" when absent (sidecars written before 2023) or empty
};

/// `{"k": "v", ..., "_hash": "<hash>"}` with ", " / ": " separators, non-ASCII and control
/// characters as lowercase \uXXXX (surrogate pairs above U+FFFF), no trailing newline.
/// InvalidArgument when a key or value is not valid UTF-8.
Result<std::string> format_sidecar(const Metadata& metadata, std::string_view hash);

/// Parses a sidecar; non-string values are kept as their JSON text. Corruption when the text is
/// not a JSON object.
Result<Sidecar> parse_sidecar(std::string_view text);

}  // namespace astacus::storage::local

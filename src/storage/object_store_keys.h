#pragma once
// Internal to ObjectStore (object_store*.cc): object key layout and metadata names.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/files.h"
#include "base/result.h"

namespace astacus::storage {

inline constexpr std::string_view kKeyIdKey = "encryption-key-id";
inline constexpr std::string_view kCompressionKey = "compression-algorithm";
inline constexpr std::string_view kDataDir = "data";
inline constexpr std::string_view kJsonDir = "json";

/// data/<hexdigest>: where a loose (unpacked) blob is stored.
inline std::string blob_key(std::string_view hexdigest) { return std::string(kDataDir) + "/" + std::string(hexdigest); }

/// A blob hexdigest or manifest name is one path component: it must not steer the key elsewhere.
Status check_name(std::string_view kind, const std::string& name);

/// Conflict when the open file `fd` no longer shows `unchanged` (when set): a write reached it
/// while it was being uploaded, so what was read may not be the snapshotted content.
Status check_unchanged(int fd, const std::filesystem::path& path, const std::optional<FileIdentity>& unchanged);

}  // namespace astacus::storage

#pragma once
// Internal to ObjectStore (object_store*.cc): object key layout and metadata names.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::storage {

inline constexpr std::string_view kKeyIdKey = "encryption-key-id";
inline constexpr std::string_view kCompressionKey = "compression-algorithm";
inline constexpr std::string_view kDataDir = "data";
inline constexpr std::string_view kJsonDir = "json";

/// A blob hexdigest or manifest name is one path component: it must not steer the key elsewhere.
Status check_name(std::string_view kind, const std::string& name);

}  // namespace astacus::storage

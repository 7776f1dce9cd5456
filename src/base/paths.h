#pragma once
// The one confinement function: every relative path from a config, request or manifest goes
// through confine() before it touches the disk, so nothing is written outside a configured root.

#include <filesystem>
#include <string_view>

#include "base/result.h"

namespace astacus {

/// Joins `root` and the '/'-separated relative path `rel`. Refuses (InvalidArgument, naming
/// the path) an empty path, an absolute path, any "..", "." or empty component, and NUL bytes.
Result<std::filesystem::path> confine(const std::filesystem::path& root, std::string_view rel);

/// True when `rel` would be accepted by confine().
bool is_safe_relative_path(std::string_view rel);

}  // namespace astacus

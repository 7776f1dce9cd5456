#include "base/paths.h"

namespace astacus {

bool is_safe_relative_path(std::string_view rel) {
  if (rel.empty() || rel.front() == '/' || rel.find('\0') != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view part = rel.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<std::filesystem::path> confine(const std::filesystem::path& root, std::string_view rel) {
  if (!is_safe_relative_path(rel)) {
    return errorf(ErrorCode::kInvalidArgument,
                  "refusing path '{}': it must be relative, without '..', '.' or empty parts",
                  rel);
  }
  return root / std::filesystem::path(std::string(rel));
}

}  // namespace astacus

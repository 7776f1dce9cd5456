#include "manifest/json_path.h"

namespace astacus::manifest::detail {

std::string FieldPath::str() const {
  if (!parent) return std::string(key);
  std::string out = parent->str();
  if (index != kNotIndex) return out + fmt::format("[{}]", index);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

tl::unexpected<Error> field_error(const FieldPath& path, std::string_view what) {
  std::string where = path.str();
  if (where.empty()) return make_error(ErrorCode::kInvalidArgument, std::string(what));
  return errorf(ErrorCode::kInvalidArgument, "{}: {}", where, what);
}

}  // namespace astacus::manifest::detail

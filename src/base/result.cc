#include "base/result.h"

namespace astacus {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kCorruption: return "Corruption";
    case ErrorCode::kIoError: return "IoError";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kTimeout: return "Timeout";
    case ErrorCode::kBusy: return "Busy";
    case ErrorCode::kConflict: return "Conflict";
    case ErrorCode::kForbidden: return "Forbidden";
    case ErrorCode::kCancelled: return "Cancelled";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Error::to_string() const {
  return fmt::format("{}: {}", astacus::to_string(code), message);
}

Error Error::with_context(std::string_view context) const {
  Error e = *this;
  e.message = fmt::format("{}: {}", context, message);
  return e;
}

}  // namespace astacus

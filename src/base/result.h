#pragma once
// Errors are values: every fallible function returns Result<T> = tl::expected<T, Error>.
// Exceptions from third-party libraries are caught at the module edge and converted here.

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace astacus {

enum class ErrorCode {
  kNotFound,         // object, file, backup or op does not exist
  kInvalidArgument,  // bad input: config, request body, manifest content
  kCorruption,       // stored data does not match its hash / HMAC / format
  kIoError,          // local disk failure
  kUnavailable,      // remote endpoint not reachable or answered 5xx
  kTimeout,          // a deadline passed
  kBusy,             // lock held by someone else
  kConflict,         // state does not allow the request (e.g. "Not locked")
  kForbidden,        // locked by someone else
  kCancelled,        // op superseded or server shutting down
  kInternal,         // a bug
};

std::string_view to_string(ErrorCode code);

/// An error: what kind, whether retrying may help, and a message that names the thing at fault
/// (file path, node URL, storage name, object key or dotted config key).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  bool retryable = false;

  /// "NotFound: <message>" — for logs and CLI output.
  std::string to_string() const;
  /// Returns a copy whose message is "<context>: <message>".
  Error with_context(std::string_view context) const;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message, bool retryable = false) {
  return tl::unexpected<Error>(Error{code, std::move(message), retryable});
}
inline tl::unexpected<Error> make_error(Error error) { return tl::unexpected<Error>(std::move(error)); }

template <typename... Args>
tl::unexpected<Error> errorf(ErrorCode code, fmt::format_string<Args...> f, Args&&... args) {
  return make_error(code, fmt::format(f, std::forward<Args>(args)...));
}

inline Status ok() { return {}; }

/// An intentionally ignored error, spelled so it can be grepped.
template <typename T>
void ignore_error(const Result<T>& /*result*/, std::string_view /*why*/) {}

}  // namespace astacus

/// Propagates the error of a Result-returning expression; evaluates to its value otherwise.
#define ASTACUS_TRY(expr)                                                   \
  ({                                                                        \
    auto _astacus_r = (expr);                                               \
    if (!_astacus_r) return ::tl::unexpected<::astacus::Error>(std::move(_astacus_r).error()); \
    std::move(_astacus_r).value();                                          \
  })

#define ASTACUS_CHECK(expr)                                                 \
  do {                                                                      \
    auto _astacus_s = (expr);                                               \
    if (!_astacus_s) return ::tl::unexpected<::astacus::Error>(std::move(_astacus_s).error()); \
  } while (0)

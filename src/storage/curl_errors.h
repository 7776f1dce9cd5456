#pragma once
// How a failed libcurl transfer (a CURLcode) counts for retries, shared by the backends'
// transport_error() so that S3, Azure and GCS agree on what is worth another try:
//   timeouts (connect, low-speed, deadline)                        → Timeout, retryable
//   resolve/connect/send/receive failures, broken connections      → Unavailable, retryable
//   anything else (TLS verification, bad URL, out of memory, ...)  → the backend decides
//                                                                    (Azure, GCS: permanent)
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::storage {

enum class CurlFailure {
  kTimeout,     // the attempt ran out of time
  kConnection,  // the server was not reached or the connection broke: another try may work
  kOther,       // a setup, TLS or protocol problem that a retry does not fix by itself
};

/// The kind of a failed transfer; `curl_code` is a CURLcode.
CurlFailure classify_curl_failure(int curl_code);

/// What curl said: `detail` (the CURLOPT_ERRORBUFFER text) when set, else curl_easy_strerror.
std::string curl_failure_text(int curl_code, std::string_view detail);

/// The Error of a failed transfer with `message`: Timeout (retryable), Unavailable (retryable)
/// for connection failures, Unavailable (permanent) for anything else.
Error curl_failure_error(int curl_code, std::string message);

}  // namespace astacus::storage

#pragma once
// GCS failures → astacus Errors whose messages start with "object_storage.storages.<site>:" and
// carry what the server said. Classification:
//   401, or the token endpoint refusing the assertion   Forbidden "GCS authentication failed"
//   403                      Forbidden "GCS access denied"
//   404 on the bucket        InvalidArgument naming object_storage.storages.<site>.bucket_name
//   404 on an object         NotFound naming the object
//   412                      Conflict "GCS precondition failed" (ifGenerationMatch: replaced)
//   408, 429, 5xx            Timeout (408) / Unavailable, retryable
//   other 4xx                InvalidArgument, permanent
//   transport: timeouts → Timeout; connect/send/receive failures → Unavailable, both retryable;
//   anything else (TLS, bad URL, ...) → Unavailable, permanent (../curl_errors.h).
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::storage::gcs {

/// What a request was about, for messages.
struct ErrorContext {
  std::string site;
  std::string bucket;
  std::string object;      // "" for bucket-level requests
  std::string operation;   // JSON API method, e.g. "objects.get"
  bool object_level = false;  // a 404 means the object is missing (else: the bucket)
};

/// The human part of an error body: Google's {"error":{"message":...}}, OAuth's
/// {"error":"...","error_description":"..."}, or the (shortened) text itself.
std::string server_message(std::string_view body);

/// The error for a non-2xx `status` of a storage request.
Error http_status_error(const ErrorContext& context, int status, std::string_view message);

/// The error for a non-2xx answer of the token endpoint `token_uri`.
Error token_error(const std::string& site, const std::string& token_uri, int status, std::string_view message);

/// The error for a failed transfer: `curl_code` is a CURLcode, `detail` curl's message.
Error transport_error(const ErrorContext& context, std::string_view url, int curl_code, std::string_view detail);

}  // namespace astacus::storage::gcs

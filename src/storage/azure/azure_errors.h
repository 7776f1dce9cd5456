#pragma once
// Azure Blob failures → astacus Errors, with messages that name the site, container and blob and
// carry what the server said. Classification:
//   404 BlobNotFound (or 404 without ContainerNotFound on a blob)  NotFound, permanent
//   404 ContainerNotFound   InvalidArgument naming object_storage.storages.<site>.bucket_name
//   403 (AuthenticationFailed, AuthorizationFailure, ...)  InvalidArgument: check account_key/sas_token
//   412 ConditionNotMet (If-Match of a ranged read: the blob changed)  Conflict, permanent
//   5xx, 408, 429, ServerBusy, OperationTimedOut, InternalError   Unavailable/Timeout, retryable
//   other 4xx               InvalidArgument, permanent
//   transport: timeouts → Timeout; connect/send/receive failures → Unavailable, both retryable;
//   anything else (TLS verification, bad URL, ...) → Unavailable, permanent (../curl_errors.h).
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/azure/azure_xml.h"

namespace astacus::storage::azure {

/// What a request was about, for messages.
struct ErrorContext {
  std::string site;
  std::string account;
  std::string container;
  std::string blob;       // "" for container-level requests
  std::string operation;  // REST operation, e.g. "Put Blob"
};

/// The error for a non-2xx `status`; `body.code` is the x-ms-error-code header or <Code>.
Error http_status_error(const ErrorContext& context, int status, const ErrorBody& body);

/// The error for a failed transfer: `curl_code` is a CURLcode, `detail` curl's message.
Error transport_error(const ErrorContext& context, std::string_view url, int curl_code,
                      std::string_view detail);

}  // namespace astacus::storage::azure

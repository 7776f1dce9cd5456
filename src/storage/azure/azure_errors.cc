#include "storage/azure/azure_errors.h"

#include "storage/curl_errors.h"

namespace astacus::storage::azure {

namespace {

std::string subject(const ErrorContext& c) {
  if (c.blob.empty()) return fmt::format("{} of container '{}'", c.operation, c.container);
  return fmt::format("{} of blob '{}' in container '{}'", c.operation, c.blob, c.container);
}

std::string server_said(int status, const ErrorBody& body) {
  std::string out = fmt::format("HTTP {}", status);
  if (!body.code.empty()) out += " " + body.code;
  if (!body.message.empty()) out += ": " + body.message;
  return out;
}

bool is_retryable_status(int status, std::string_view code) {
  return status >= 500 || status == 408 || status == 429 || code == "ServerBusy" ||
         code == "OperationTimedOut" || code == "InternalError";
}

}  // namespace

Error http_status_error(const ErrorContext& c, int status, const ErrorBody& body) {
  std::string said = server_said(status, body);
  if (status == 404 && body.code == "ContainerNotFound") {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("azure site '{}': container '{}' does not exist ({}: {}); create it or fix "
                             "object_storage.storages.{}.bucket_name",
                             c.site, c.container, subject(c), said, c.site),
                 false};
  }
  if (status == 404 && !c.blob.empty()) {
    return Error{ErrorCode::kNotFound,
                 fmt::format("azure site '{}': blob '{}' not found in container '{}' ({}: {})", c.site,
                             c.blob, c.container, c.operation, said),
                 false};
  }
  if (status == 403) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("azure site '{}': the server refused the credentials of account '{}' ({}: {}); "
                             "check object_storage.storages.{}.account_key / sas_token",
                             c.site, c.account, subject(c), said, c.site),
                 false};
  }
  if (status == 412) {
    return Error{ErrorCode::kConflict,
                 fmt::format("azure site '{}': {} failed, the blob no longer matches the request's condition: {}",
                             c.site, subject(c), said),
                 false};
  }
  bool retryable = is_retryable_status(status, body.code);
  ErrorCode code = !retryable                                            ? ErrorCode::kInvalidArgument
                   : (status == 408 || body.code == "OperationTimedOut") ? ErrorCode::kTimeout
                                                                         : ErrorCode::kUnavailable;
  return Error{code, fmt::format("azure site '{}': {} failed: {}", c.site, subject(c), said), retryable};
}

Error transport_error(const ErrorContext& c, std::string_view url, int curl_code, std::string_view detail) {
  return curl_failure_error(curl_code, fmt::format("azure site '{}': {} failed ({}): {}", c.site, subject(c), url,
                                                   curl_failure_text(curl_code, detail)));
}

}  // namespace astacus::storage::azure

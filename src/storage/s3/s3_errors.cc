#include "storage/s3/s3_errors.h"

#include <curl/curl.h>

#include <fmt/format.h>

#include "storage/curl_errors.h"
#include "storage/s3/s3_xml.h"

namespace astacus::storage::s3 {

namespace {

bool is_retryable_code(std::string_view code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestLimitExceeded" || code == "OperationAborted";
}

bool is_credentials_code(std::string_view code) {
  return code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "AccessDenied" ||
         code == "InvalidToken" || code == "ExpiredToken" || code == "InvalidSecurity";
}

std::string what(const RequestContext& ctx) {
  if (ctx.key.empty()) return fmt::format("{}: {} bucket '{}'", ctx.description, ctx.method, ctx.bucket);
  return fmt::format("{}: {} '{}'", ctx.description, ctx.method, ctx.key);
}

}  // namespace

Error response_error(const RequestContext& ctx, int status, std::string_view body) {
  auto parsed = parse_error_body(body);
  std::string code = parsed ? parsed->code : "";
  std::string said = parsed ? fmt::format("HTTP {} {}: {}", status, code, parsed->message)
                            : fmt::format("HTTP {}", status);
  auto make = [&](ErrorCode ec, bool retryable, std::string message) { return Error{ec, std::move(message), retryable}; };
  if (code == "NoSuchBucket") {
    return make(ErrorCode::kInvalidArgument, false,
                fmt::format("{}: bucket '{}' does not exist ({}); check object_storage.storages.{}.bucket_name",
                            what(ctx), ctx.bucket, said, ctx.site));
  }
  if (status == 403 || is_credentials_code(code)) {
    std::string hint = code == "RequestTimeTooSkewed"
                           ? "check this machine's clock"
                           : fmt::format("check object_storage.storages.{}.aws_access_key_id and "
                                         "aws_secret_access_key (and aws_session_token if used)", ctx.site);
    return make(ErrorCode::kForbidden, false,
                fmt::format("{}: access denied for site '{}' ({}); {}", what(ctx), ctx.site, said, hint));
  }
  if (code == "NoSuchKey" || (status == 404 && code.empty())) {
    return make(ErrorCode::kNotFound, false, fmt::format("{}: object not found ({})", what(ctx), said));
  }
  // Only reads pinned to an ETag (If-Match) are conditional: the object was replaced meanwhile.
  if (status == 412 || code == "PreconditionFailed") {
    return make(ErrorCode::kConflict, false,
                fmt::format("{}: the object changed while it was being read ({})", what(ctx), said));
  }
  if (status >= 500 || is_retryable_code(code)) {
    return make(ErrorCode::kUnavailable, true, fmt::format("{}: {}", what(ctx), said));
  }
  if (status == 301 || status == 307 || code == "AuthorizationHeaderMalformed" || code == "PermanentRedirect") {
    return make(ErrorCode::kInvalidArgument, false,
                fmt::format("{}: {}; check object_storage.storages.{}.region", what(ctx), said, ctx.site));
  }
  return make(ErrorCode::kInvalidArgument, false, fmt::format("{}: {}", what(ctx), said));
}

Error transport_error(const RequestContext& ctx, int curl_code, std::string_view curl_message) {
  std::string message =
      fmt::format("{}: {} (curl error {})", what(ctx), curl_failure_text(curl_code, curl_message), curl_code);
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("{}; check object_storage.storages.{}.host and port", message, ctx.site), false};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Error{ErrorCode::kInvalidArgument,
                   fmt::format("{}; check object_storage.storages.{}.is_verify_tls and cert_path", message,
                               ctx.site),
                   false};
    default:
      // Unlike Azure and GCS, S3 retries every other failure (curl_errors.h's "other" too).
      return Error{classify_curl_failure(curl_code) == CurlFailure::kTimeout ? ErrorCode::kTimeout
                                                                             : ErrorCode::kUnavailable,
                   std::move(message), true};
  }
}

}  // namespace astacus::storage::s3

// Classification of GCS and token-endpoint failures into astacus Errors.
#include "storage/gcs/gcs_errors.h"

#include <nlohmann/json.hpp>

#include "storage/curl_errors.h"

namespace astacus::storage::gcs {

namespace {

constexpr size_t kMaxQuotedBody = 300;

std::string site_key(const std::string& site) { return "object_storage.storages." + site; }

std::string subject(const ErrorContext& c) {
  if (c.bucket.empty()) return c.operation;
  if (c.object.empty()) return fmt::format("{} in bucket '{}'", c.operation, c.bucket);
  return fmt::format("{} of object '{}' in bucket '{}'", c.operation, c.object, c.bucket);
}

std::string json_message(const nlohmann::json& body) {
  auto error = body.find("error");
  if (error == body.end()) return "";
  if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
    return (*error)["message"].get<std::string>();
  }
  if (!error->is_string()) return "";
  std::string out = error->get<std::string>();
  auto description = body.find("error_description");
  if (description != body.end() && description->is_string()) out += ": " + description->get<std::string>();
  return out;
}

bool says_bucket_is_missing(std::string_view message) {
  return message.find("bucket does not exist") != std::string_view::npos;
}

}  // namespace

std::string server_message(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    if (std::string message = json_message(parsed); !message.empty()) return message;
  }
  std::string text(body.substr(0, kMaxQuotedBody));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.empty() ? "(empty body)" : text;
}

Error http_status_error(const ErrorContext& c, int status, std::string_view message) {
  std::string where = site_key(c.site);
  if (status == 401 || status == 403) {
    std::string what = status == 401 ? "GCS authentication failed" : "GCS access denied";
    return Error{ErrorCode::kForbidden,
                 fmt::format("{}: {}: {} ({}: HTTP {}); check {}.credentials / credential_file", where, what,
                             message, subject(c), status, where),
                 false};
  }
  if (status == 404 && (!c.object_level || says_bucket_is_missing(message))) {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("{}: GCS bucket '{}' does not exist: {} ({}: HTTP 404); create it or fix {}.bucket_name",
                             where, c.bucket, message, subject(c), where),
                 false};
  }
  if (status == 404) {
    return Error{ErrorCode::kNotFound,
                 fmt::format("{}: object '{}' not found in GCS bucket '{}' ({}: HTTP 404: {})", where, c.object,
                             c.bucket, c.operation, message),
                 false};
  }
  if (status == 412) {
    return Error{ErrorCode::kConflict,
                 fmt::format("{}: GCS precondition failed: {} ({}: HTTP 412)", where, message, subject(c)), false};
  }
  bool retryable = status == 408 || status == 429 || status >= 500;
  ErrorCode code = !retryable ? ErrorCode::kInvalidArgument
                   : status == 408 ? ErrorCode::kTimeout
                                   : ErrorCode::kUnavailable;
  return Error{code, fmt::format("{}: GCS {} failed: HTTP {}: {}", where, subject(c), status, message), retryable};
}

Error token_error(const std::string& site, const std::string& token_uri, int status, std::string_view message) {
  std::string where = site_key(site);
  if (status == 400 || status == 401 || status == 403) {
    return Error{ErrorCode::kForbidden,
                 fmt::format("{}: GCS authentication failed: {} (token endpoint {} answered HTTP {}); check "
                             "{}.credentials / credential_file",
                             where, message, token_uri, status, where),
                 false};
  }
  bool retryable = status == 408 || status == 429 || status >= 500;
  return Error{retryable ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
               fmt::format("{}: GCS token request to {} failed: HTTP {}: {}", where, token_uri, status, message),
               retryable};
}

Error transport_error(const ErrorContext& c, std::string_view url, int curl_code, std::string_view detail) {
  return curl_failure_error(curl_code, fmt::format("{}: GCS {} failed ({}): {}", site_key(c.site), subject(c), url,
                                                   curl_failure_text(curl_code, detail)));
}

}  // namespace astacus::storage::gcs

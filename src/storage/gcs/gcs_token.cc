// Service-account OAuth: JWT-bearer token requests and a cached access token.
#include "storage/gcs/gcs_token.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "storage/gcs/gcs_jwt.h"
#include "storage/gcs/gcs_names.h"

namespace astacus::storage::gcs {

namespace {

constexpr const char* kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string token_request_body(std::string_view jwt) {
  return "grant_type=" + url_encode(kJwtBearerGrant) + "&assertion=" + url_encode(jwt);
}

Result<AccessToken> parse_token_response(std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("access_token") ||
      !json["access_token"].is_string() || json["access_token"].get<std::string>().empty()) {
    return errorf(ErrorCode::kInvalidArgument, "token response without an access_token: {}",
                  std::string(body.substr(0, 200)));
  }
  AccessToken out{json["access_token"].get<std::string>(), 3600};
  if (json.contains("expires_in") && json["expires_in"].is_number()) {
    out.expires_in = json["expires_in"].get<int64_t>();
  }
  return out;
}

std::chrono::seconds refresh_margin(int64_t expires_in) {
  return std::chrono::seconds(std::clamp<int64_t>(expires_in / 4, 0, 300));
}

TokenSource::TokenSource(std::string site, ServiceAccount account, HttpSettings http)
    : site_(std::move(site)), account_(std::move(account)), http_(std::move(http)) {}

Result<std::string> TokenSource::token(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  if (!token_.empty() && Clock::now() < refresh_at_) return token_;
  AccessToken fresh = ASTACUS_TRY(fetch(deadline));
  token_ = std::move(fresh.token);
  refresh_at_ = Clock::now() + std::chrono::seconds(fresh.expires_in) - refresh_margin(fresh.expires_in);
  return token_;
}

void TokenSource::invalidate() {
  std::lock_guard lock(mutex_);
  token_.clear();
}

Result<AccessToken> TokenSource::fetch(Clock::time_point deadline) const {
  JwtClaims claims{account_.client_email, kStorageScope, account_.token_uri, unix_now()};
  auto jwt = make_jwt(claims, account_.private_key_id, account_.private_key);
  if (!jwt) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}: cannot sign the GCS token request: {}",
                  site_, jwt.error().message);
  }
  std::string body = token_request_body(*jwt);
  HttpRequest request{"POST", account_.token_uri, {{"Content-Type", "application/x-www-form-urlencoded"}}, body};
  ErrorContext context{site_, "", "", "OAuth token request", false};
  HttpResponse response = ASTACUS_TRY(send_once(http_, request, deadline, context));
  if (response.status < 200 || response.status >= 300) {
    return make_error(token_error(site_, account_.token_uri, response.status, server_message(response.body)));
  }
  auto parsed = parse_token_response(response.body);
  if (!parsed) {
    return errorf(ErrorCode::kUnavailable, "object_storage.storages.{}: GCS token endpoint {}: {}", site_,
                  account_.token_uri, parsed.error().message);
  }
  return parsed;
}

}  // namespace astacus::storage::gcs

#pragma once
// OAuth access tokens of a service account: a signed JWT (gcs_jwt.h) is POSTed to the
// account's token_uri (grant_type jwt-bearer) and the access_token is cached until shortly
// before it expires. Thread safety: token() may be called from many threads; one fetch runs at
// a time and the others wait for its result.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/gcs/gcs_credentials.h"
#include "storage/gcs/gcs_http.h"

namespace astacus::storage::gcs {

/// A token endpoint's answer.
struct AccessToken {
  std::string token;
  int64_t expires_in = 0;  // seconds
};

/// The form body of the token request: grant_type=<jwt-bearer URN, encoded>&assertion=<jwt>.
std::string token_request_body(std::string_view jwt);

/// Parses {"access_token": ..., "expires_in": N, "token_type": "Bearer"}; InvalidArgument
/// when the token is missing.
Result<AccessToken> parse_token_response(std::string_view body);

/// How long before its expiry a cached token is replaced: a quarter of its life, at most 5 min.
std::chrono::seconds refresh_margin(int64_t expires_in);

class TokenSource {
 public:
  TokenSource(std::string site, ServiceAccount account, HttpSettings http);

  /// A valid access token: the cached one, or a new one fetched in one attempt that ends by
  /// `deadline` (the caller retries retryable errors).
  Result<std::string> token(Clock::time_point deadline);
  /// Forgets the cached token (the server refused it).
  void invalidate();

  const ServiceAccount& account() const { return account_; }

 private:
  Result<AccessToken> fetch(Clock::time_point deadline) const;

  std::string site_;
  ServiceAccount account_;
  HttpSettings http_;
  std::mutex mutex_;
  std::string token_;
  Clock::time_point refresh_at_{};
};

}  // namespace astacus::storage::gcs

#pragma once
// The signed JWT a service account trades for an OAuth access token (RFC 7523 jwt-bearer,
// RS256 = RSASSA-PKCS1-v1_5 with SHA-256), and base64url without padding (RFC 7515 §2).
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::storage::gcs {

inline constexpr const char* kStorageScope = "https://www.googleapis.com/auth/devstorage.read_write";
inline constexpr int64_t kJwtLifetimeSeconds = 3600;

std::string base64url_encode(std::string_view bytes);
/// Accepts input with or without '=' padding. InvalidArgument on other characters.
Result<std::string> base64url_decode(std::string_view text);

/// What goes into the assertion.
struct JwtClaims {
  std::string issuer;    // iss: the service account's client_email
  std::string scope;     // space-separated OAuth scopes
  std::string audience;  // aud: the token URI
  int64_t issued_at = 0;  // iat, seconds since the epoch; exp = iat + kJwtLifetimeSeconds
};

/// base64url(header) "." base64url(claims): header {"alg":"RS256","typ":"JWT"} (plus "kid" when
/// `key_id` is not empty), claims {"iss","scope","aud","iat","exp"}.
std::string jwt_signing_input(const JwtClaims& claims, std::string_view key_id);

/// The RS256 signature of `data` with a PEM RSA private key (PKCS#8 or PKCS#1).
/// InvalidArgument when the key is unusable.
Result<std::string> sign_rs256(std::string_view private_pem, std::string_view data);

/// The complete assertion: signing input "." base64url(signature).
Result<std::string> make_jwt(const JwtClaims& claims, std::string_view key_id, std::string_view private_pem);

}  // namespace astacus::storage::gcs

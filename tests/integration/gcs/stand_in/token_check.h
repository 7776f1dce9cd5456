#pragma once
// The stand-in's token endpoint checks, as Google's does for a jwt-bearer grant: the assertion is
// three base64url parts, the header says RS256, the signature verifies against the service
// account's public key, iss is the account, aud is this token endpoint, the scope allows
// storage, and iat/exp describe a live token of at most one hour. Pure; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace astacus::gcs_stand_in {

struct TokenRules {
  std::string public_pem;    // the service account's SPKI public key
  std::string client_email;  // expected iss
  std::string audience;      // expected aud: this endpoint's token URI
  int64_t now = 0;           // seconds since the epoch
};

/// Why an assertion is refused, in the shape of Google's OAuth error body.
struct TokenRefusal {
  std::string error;        // "invalid_grant", "invalid_scope"
  std::string description;  // "Invalid JWT Signature." ...
};

/// An empty `error` means the assertion is good.
TokenRefusal check_assertion(std::string_view assertion, const TokenRules& rules);

}  // namespace astacus::gcs_stand_in

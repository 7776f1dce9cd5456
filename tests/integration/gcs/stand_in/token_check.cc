// JWT-bearer assertion checks of the GCS stand-in's token endpoint.
#include "token_check.h"

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/rsa_keys.h"
#include "storage/gcs/gcs_jwt.h"

namespace astacus::gcs_stand_in {

namespace {

using Json = nlohmann::json;

constexpr const char* kTimeframe =
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and "
    "exp values in the JWT claim.";
constexpr int64_t kClockSkew = 60;

std::vector<std::string_view> split_dots(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t dot = text.find('.'); dot != std::string_view::npos; dot = text.find('.', start)) {
    parts.push_back(text.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::optional<Json> decode_json_part(std::string_view part) {
  auto bytes = storage::gcs::base64url_decode(part);
  if (!bytes) return std::nullopt;
  Json json = Json::parse(*bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

bool signature_verifies(std::string_view signed_part, std::string_view signature, const std::string& public_pem) {
  auto key = codec::load_public_key(public_pem);
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

std::string string_claim(const Json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : "";
}

// Scopes are space-separated; one of them must grant object read/write.
bool scope_allows_storage(const std::string& scope) {
  std::istringstream words(scope);
  std::string word;
  while (words >> word) {
    if (word == "https://www.googleapis.com/auth/devstorage.read_write" ||
        word == "https://www.googleapis.com/auth/devstorage.full_control" ||
        word == "https://www.googleapis.com/auth/cloud-platform") {
      return true;
    }
  }
  return false;
}

TokenRefusal check_claims(const Json& claims, const TokenRules& rules) {
  if (string_claim(claims, "iss") != rules.client_email) {
    return {"invalid_grant", "Invalid JWT: iss '" + string_claim(claims, "iss") + "' is not a known service account"};
  }
  if (string_claim(claims, "aud") != rules.audience) {
    return {"invalid_grant",
            "Invalid JWT: aud '" + string_claim(claims, "aud") + "' is not this token endpoint " + rules.audience};
  }
  if (!scope_allows_storage(string_claim(claims, "scope"))) {
    return {"invalid_scope", "Invalid OAuth scope or ID token audience provided."};
  }
  if (!claims.contains("iat") || !claims.contains("exp") || !claims["iat"].is_number_integer() ||
      !claims["exp"].is_number_integer()) {
    return {"invalid_grant", kTimeframe};
  }
  int64_t iat = claims["iat"].get<int64_t>();
  int64_t exp = claims["exp"].get<int64_t>();
  bool live = iat <= rules.now + kClockSkew && exp > rules.now - kClockSkew && exp > iat && exp - iat <= 3600;
  if (!live) return {"invalid_grant", kTimeframe};
  return {};
}

}  // namespace

TokenRefusal check_assertion(std::string_view assertion, const TokenRules& rules) {
  auto parts = split_dots(assertion);
  if (parts.size() != 3) return {"invalid_grant", "Invalid JWT: not three dot-separated parts"};
  auto header = decode_json_part(parts[0]);
  auto claims = decode_json_part(parts[1]);
  auto signature = storage::gcs::base64url_decode(parts[2]);
  if (!header || !claims || !signature) return {"invalid_grant", "Invalid JWT: a part is not base64url JSON"};
  if (string_claim(*header, "alg") != "RS256") {
    return {"invalid_grant", "Invalid JWT: alg '" + string_claim(*header, "alg") + "' is not RS256"};
  }
  std::string_view signed_part = assertion.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!signature_verifies(signed_part, *signature, rules.public_pem)) {
    return {"invalid_grant", "Invalid JWT Signature."};
  }
  return check_claims(*claims, rules);
}

}  // namespace astacus::gcs_stand_in

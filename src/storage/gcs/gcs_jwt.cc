// JWT building and RS256 signing for service-account OAuth, and base64url.
#include "storage/gcs/gcs_jwt.h"

#include <openssl/evp.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "codec/openssl_util.h"
#include "codec/rsa_keys.h"

namespace astacus::storage::gcs {

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/') return errorf(ErrorCode::kInvalidArgument, "not base64url: '{}'", c);
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (standard.size() % 4 == 1) return errorf(ErrorCode::kInvalidArgument, "not base64url: bad length");
  standard.append((4 - standard.size() % 4) % 4, '=');
  return base64_decode(standard);
}

std::string jwt_signing_input(const JwtClaims& claims, std::string_view key_id) {
  nlohmann::ordered_json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  if (!key_id.empty()) header["kid"] = key_id;
  nlohmann::ordered_json body = {{"iss", claims.issuer},
                                 {"scope", claims.scope},
                                 {"aud", claims.audience},
                                 {"iat", claims.issued_at},
                                 {"exp", claims.issued_at + kJwtLifetimeSeconds}};
  auto dump = [](const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  };
  return base64url_encode(dump(header)) + "." + base64url_encode(dump(body));
}

Result<std::string> sign_rs256(std::string_view private_pem, std::string_view data) {
  codec::PKeyPtr key = ASTACUS_TRY(codec::load_private_key(private_pem));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return make_error(ErrorCode::kInvalidArgument, codec::openssl_error("RS256 signing"));
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return make_error(ErrorCode::kInvalidArgument, codec::openssl_error("RS256 signing"));
  }
  signature.resize(size);
  return signature;
}

Result<std::string> make_jwt(const JwtClaims& claims, std::string_view key_id, std::string_view private_pem) {
  std::string input = jwt_signing_input(claims, key_id);
  std::string signature = ASTACUS_TRY(sign_rs256(private_pem, input));
  return input + "." + base64url_encode(signature);
}

}  // namespace astacus::storage::gcs

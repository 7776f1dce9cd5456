#include "codec/openssl_util.h"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <algorithm>

namespace astacus::codec {

namespace {

using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

// Algorithms fetched once for the process (an implicit fetch per EVP_aes_256_ctr() init is
// measurable on 16 KiB objects). Never freed: they live as long as the process.
struct Algorithms {
  EVP_CIPHER* aes_128_ctr = nullptr;
  EVP_CIPHER* aes_256_ctr = nullptr;
  EVP_MAC* hmac = nullptr;
};

const Algorithms& algorithms() {
  static const Algorithms algs{EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr),
                               EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr),
                               EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  return algs;
}

const EVP_MD* oaep_md(OaepHash hash) { return hash == OaepHash::kSha1 ? EVP_sha1() : EVP_sha256(); }

bool set_oaep(EVP_PKEY_CTX* ctx, OaepHash hash) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, oaep_md(hash)) > 0 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, oaep_md(hash)) > 0;
}

}  // namespace

std::string openssl_error(std::string_view what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(what);
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return fmt::format("{}: {}", what, buf);
}

tl::unexpected<Error> openssl_failure(std::string_view what) {
  return make_error(ErrorCode::kInternal, openssl_error(what));
}

CleanseOnExit::~CleanseOnExit() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

// ---- RSA-OAEP --------------------------------------------------------------------------------

Result<std::string> rsa_oaep_encrypt(EVP_PKEY* public_key, OaepHash hash, std::string_view secret) {
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new(public_key, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !set_oaep(ctx.get(), hash)) {
    return openssl_failure("RSA-OAEP encrypt setup");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, as_uchars(secret), secret.size()) <= 0) {
    return openssl_failure("RSA-OAEP size");
  }
  std::string block(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), as_uchars(block), &len, as_uchars(secret), secret.size()) <= 0) {
    return openssl_failure("RSA-OAEP encrypt");
  }
  block.resize(len);
  return block;
}

Result<std::string> rsa_oaep_decrypt(EVP_PKEY* private_key, OaepHash hash, std::string_view block,
                                     std::string_view failure) {
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new(private_key, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !set_oaep(ctx.get(), hash)) {
    return openssl_failure("RSA-OAEP decrypt setup");
  }
  // The message is never longer than the modulus.
  std::string secret(static_cast<size_t>(std::max(EVP_PKEY_get_size(private_key), 0)), '\0');
  size_t len = secret.size();
  if (EVP_PKEY_decrypt(ctx.get(), as_uchars(secret), &len, as_uchars(block), block.size()) <= 0) {
    return make_error(ErrorCode::kCorruption, openssl_error(failure));
  }
  secret.resize(len);
  return secret;
}

// ---- AES-CTR ---------------------------------------------------------------------------------

void AesCtr::Free::operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }

Result<AesCtr> AesCtr::create(KeyBits bits) {
  const EVP_CIPHER* cipher = bits == KeyBits::k128 ? algorithms().aes_128_ctr : algorithms().aes_256_ctr;
  if (!cipher) return openssl_failure("fetching AES-CTR");
  AesCtr ctr(EVP_CIPHER_CTX_new());
  if (!ctr.ctx_ || EVP_EncryptInit_ex2(ctr.ctx_.get(), cipher, nullptr, nullptr, nullptr) != 1) {
    return openssl_failure("AES-CTR context setup");
  }
  return ctr;
}

Status AesCtr::start(const unsigned char* key, const unsigned char* iv) {
  if (EVP_EncryptInit_ex2(ctx_.get(), nullptr, key, iv, nullptr) != 1) return openssl_failure("AES-CTR init");
  return ok();
}

Status AesCtr::apply(std::string_view in, unsigned char* out) {
  constexpr size_t kStep = size_t{1} << 30;  // EVP takes int lengths
  for (size_t pos = 0; pos < in.size(); pos += kStep) {
    size_t n = std::min(kStep, in.size() - pos);
    int written = 0;
    if (EVP_EncryptUpdate(ctx_.get(), out + pos, &written, as_uchars(in) + pos, static_cast<int>(n)) != 1 ||
        static_cast<size_t>(written) != n) {
      return openssl_failure("AES-CTR");
    }
  }
  return ok();
}

// ---- HMAC-SHA256 -----------------------------------------------------------------------------

void HmacSha256::Free::operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }

Result<HmacSha256> HmacSha256::create() {
  if (!algorithms().hmac) return openssl_failure("fetching HMAC");
  HmacSha256 mac(EVP_MAC_CTX_new(algorithms().hmac));
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (!mac.ctx_ || EVP_MAC_CTX_set_params(mac.ctx_.get(), params) != 1) {
    return openssl_failure("HMAC-SHA256 context setup");
  }
  return mac;
}

Status HmacSha256::start(const unsigned char* key, size_t key_size) {
  if (EVP_MAC_init(ctx_.get(), key, key_size, nullptr) != 1) return openssl_failure("HMAC-SHA256 init");
  return ok();
}

Status HmacSha256::update(std::string_view data) {
  if (EVP_MAC_update(ctx_.get(), as_uchars(data), data.size()) != 1) return openssl_failure("HMAC-SHA256");
  return ok();
}

Status HmacSha256::finish(unsigned char* tag) {
  size_t len = 0;
  if (EVP_MAC_final(ctx_.get(), tag, &len, kSize) != 1 || len != kSize) return openssl_failure("HMAC-SHA256");
  return ok();
}

Status HmacSha256::compute(const unsigned char* key, size_t key_size, std::string_view data, unsigned char* tag) {
  ASTACUS_CHECK(start(key, key_size));
  ASTACUS_CHECK(update(data));
  return finish(tag);
}

}  // namespace astacus::codec

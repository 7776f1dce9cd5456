#include "codec/rsa_envelope.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <climits>
#include <memory>

#include "codec/openssl_util.h"
#include "codec/rsa_keys.h"

namespace astacus::codec {

namespace {

constexpr std::string_view kMagic = "pghoa1";
constexpr size_t kHeaderFixed = 8;  // magic + u16 length
constexpr size_t kAesKeySize = 16;
constexpr size_t kIvSize = 16;
constexpr size_t kHmacKeySize = 32;
constexpr size_t kKeyBlockSize = kAesKeySize + kIvSize + kHmacKeySize;
constexpr size_t kTagSize = 32;

using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

tl::unexpected<Error> internal(std::string_view what) {
  return make_error(ErrorCode::kInternal, openssl_error(what));
}

// OAEP with SHA-1 for both the label hash and MGF1, empty label: rohmu's fixed choice.
bool set_oaep_sha1(EVP_PKEY_CTX* ctx) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0;
}

Result<std::string> oaep_encrypt(EVP_PKEY* key, std::string_view data) {
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !set_oaep_sha1(ctx.get())) {
    return internal("RSA-OAEP encrypt setup");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, bytes(data), data.size()) <= 0)
    return internal("RSA-OAEP size");
  std::string out(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), bytes(out), &len, bytes(data), data.size()) <= 0) {
    return internal("RSA-OAEP encrypt");
  }
  out.resize(len);
  return out;
}

Result<std::string> oaep_decrypt(EVP_PKEY* key, std::string_view block) {
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !set_oaep_sha1(ctx.get())) {
    return internal("RSA-OAEP decrypt setup");
  }
  size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, bytes(block), block.size()) <= 0) {
    return internal("RSA-OAEP size");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), bytes(out), &len, bytes(block), block.size()) <= 0) {
    return make_error(ErrorCode::kCorruption,
                      openssl_error("cannot unwrap the object key with the configured private key "
                                    "(wrong key or corrupt header)"));
  }
  out.resize(len);
  return out;
}

// CTR is its own inverse, so this both encrypts and decrypts. OpenSSL's CTR mode increments the
// whole 16-byte counter block big-endian, which is exactly rohmu's (Python cryptography) rule.
Result<std::string> aes_128_ctr(std::string_view key, std::string_view iv, std::string_view in) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, bytes(key), bytes(iv)) != 1) {
    return internal("AES-128-CTR init");
  }
  std::string out(in.size(), '\0');
  constexpr size_t kStep = 1 << 30;  // EVP takes int lengths
  for (size_t pos = 0; pos < in.size(); pos += kStep) {
    size_t n = std::min(kStep, in.size() - pos);
    int written = 0;
    if (EVP_EncryptUpdate(ctx.get(), bytes(out) + pos, &written, bytes(in) + pos, static_cast<int>(n)) != 1 ||
        static_cast<size_t>(written) != n) {
      return internal("AES-128-CTR");
    }
  }
  return out;
}

Result<std::string> hmac_sha256(std::string_view key, std::string_view data) {
  std::string tag(kTagSize, '\0');
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(), bytes(tag),
            &len) ||
      len != kTagSize) {
    return internal("HMAC-SHA256");
  }
  return tag;
}

Result<std::string> pem_of(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  int ok = !bio          ? 0
           : private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                         : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) return internal("PEM encode");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

Result<std::string> envelope_encrypt_with_keys(std::string_view public_pem, std::string_view aes_key,
                                               std::string_view ctr_iv, std::string_view hmac_key,
                                               std::string_view plaintext) {
  if (aes_key.size() != kAesKeySize || ctr_iv.size() != kIvSize || hmac_key.size() != kHmacKeySize) {
    return errorf(ErrorCode::kInvalidArgument, "envelope secrets must be 16+16+32 bytes, got {}+{}+{}",
                  aes_key.size(), ctr_iv.size(), hmac_key.size());
  }
  PKeyPtr key = ASTACUS_TRY(load_public_key(public_pem));
  if (plaintext.empty()) return std::string();  // rohmu writes the header lazily: nothing in, nothing out
  std::string secrets = std::string(aes_key) + std::string(ctr_iv) + std::string(hmac_key);
  std::string block = ASTACUS_TRY(oaep_encrypt(key.get(), secrets));
  OPENSSL_cleanse(secrets.data(), secrets.size());
  if (block.size() > 0xffff)
    return errorf(ErrorCode::kInvalidArgument, "RSA key too large: {} bytes", block.size());
  std::string ciphertext = ASTACUS_TRY(aes_128_ctr(aes_key, ctr_iv, plaintext));
  std::string tag = ASTACUS_TRY(hmac_sha256(hmac_key, ciphertext));
  std::string out;
  out.reserve(kHeaderFixed + block.size() + ciphertext.size() + kTagSize);
  out.append(kMagic);
  out.push_back(static_cast<char>(block.size() >> 8));
  out.push_back(static_cast<char>(block.size() & 0xff));
  out += block;
  out += ciphertext;
  out += tag;
  return out;
}

Result<std::string> rsa_envelope_encrypt(std::string_view public_pem, std::string_view plaintext) {
  std::string secrets(kKeyBlockSize, '\0');
  if (RAND_bytes(bytes(secrets), static_cast<int>(secrets.size())) != 1) return internal("RAND_bytes");
  std::string_view s(secrets);
  auto out = envelope_encrypt_with_keys(public_pem, s.substr(0, kAesKeySize), s.substr(kAesKeySize, kIvSize),
                                        s.substr(kAesKeySize + kIvSize), plaintext);
  OPENSSL_cleanse(secrets.data(), secrets.size());
  return out;
}

Result<std::string> rsa_envelope_decrypt(std::string_view private_pem, std::string_view stored) {
  PKeyPtr key = ASTACUS_TRY(load_private_key(private_pem));
  if (stored.empty()) return std::string();
  if (stored.size() < kHeaderFixed || stored.substr(0, kMagic.size()) != kMagic) {
    return errorf(ErrorCode::kCorruption, "Invalid magic bytes");
  }
  size_t block_len = (static_cast<size_t>(static_cast<unsigned char>(stored[6])) << 8) |
                     static_cast<unsigned char>(stored[7]);
  if (stored.size() < kHeaderFixed + block_len + kTagSize) {
    return errorf(ErrorCode::kCorruption, "truncated encrypted object: {} bytes, header says at least {}",
                  stored.size(), kHeaderFixed + block_len + kTagSize);
  }
  std::string secrets = ASTACUS_TRY(oaep_decrypt(key.get(), stored.substr(kHeaderFixed, block_len)));
  if (secrets.size() != kKeyBlockSize) return errorf(ErrorCode::kCorruption, "Integrity check failed");
  std::string_view s(secrets);
  size_t body_start = kHeaderFixed + block_len;
  std::string_view ciphertext = stored.substr(body_start, stored.size() - body_start - kTagSize);
  std::string tag = ASTACUS_TRY(hmac_sha256(s.substr(kAesKeySize + kIvSize), ciphertext));
  bool tag_ok = CRYPTO_memcmp(tag.data(), stored.data() + stored.size() - kTagSize, kTagSize) == 0;
  auto plaintext = tag_ok ? aes_128_ctr(s.substr(0, kAesKeySize), s.substr(kAesKeySize, kIvSize), ciphertext)
                          : Result<std::string>(errorf(ErrorCode::kCorruption, "Integrity check failed"));
  OPENSSL_cleanse(secrets.data(), secrets.size());
  return plaintext;
}

Result<RsaKeyPem> generate_rsa_key(int bits) {
  if (bits < 1024 || bits > 16384) {
    return errorf(ErrorCode::kInvalidArgument, "RSA key size {} outside 1024..16384 bits", bits);
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(static_cast<unsigned>(bits)),
                                                          EVP_PKEY_free);
  if (!key) return internal("RSA key generation");
  RsaKeyPem pem;
  pem.public_pem = ASTACUS_TRY(pem_of(key.get(), false));
  pem.private_pem = ASTACUS_TRY(pem_of(key.get(), true));
  return pem;
}

}  // namespace astacus::codec

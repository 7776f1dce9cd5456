#include "codec/rsa_envelope.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <memory>

#include "codec/openssl_util.h"
#include "codec/rsa_keys.h"

namespace astacus::codec {

namespace {

using pghoa1::kAesKeySize;
using pghoa1::kHmacKeySize;
using pghoa1::kIvSize;
using pghoa1::kSecretsSize;
using pghoa1::kTagSize;

constexpr std::string_view kMagic = "pghoa1";

// Encrypts and decrypts: CTR is its own inverse.
Result<std::string> aes_128_ctr(std::string_view key, std::string_view iv, std::string_view in) {
  AesCtr ctr = ASTACUS_TRY(AesCtr::create(AesCtr::KeyBits::k128));
  ASTACUS_CHECK(ctr.start(as_uchars(key), as_uchars(iv)));
  std::string out(in.size(), '\0');
  ASTACUS_CHECK(ctr.apply(in, as_uchars(out)));
  return out;
}

Result<std::string> hmac_sha256(std::string_view key, std::string_view data) {
  HmacSha256 mac = ASTACUS_TRY(HmacSha256::create());
  std::string tag(kTagSize, '\0');
  ASTACUS_CHECK(mac.compute(as_uchars(key), key.size(), data, as_uchars(tag)));
  return tag;
}

Result<std::string> pem_of(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  int ok = !bio          ? 0
           : private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                         : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) return openssl_failure("PEM encode");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

// ---- pieces shared with the streaming versions ---------------------------------------------------

namespace pghoa1 {

Result<std::string> join_secrets(std::string_view aes_key, std::string_view ctr_iv, std::string_view hmac_key) {
  if (aes_key.size() != kAesKeySize || ctr_iv.size() != kIvSize || hmac_key.size() != kHmacKeySize) {
    return errorf(ErrorCode::kInvalidArgument, "envelope secrets must be 16+16+32 bytes, got {}+{}+{}",
                  aes_key.size(), ctr_iv.size(), hmac_key.size());
  }
  return std::string(aes_key) + std::string(ctr_iv) + std::string(hmac_key);
}

Result<std::string> random_secrets() {
  std::string secrets(kSecretsSize, '\0');
  if (RAND_bytes(as_uchars(secrets), static_cast<int>(secrets.size())) != 1) return openssl_failure("RAND_bytes");
  return secrets;
}

Result<std::string> make_prefix(EVP_PKEY* public_key, std::string_view secrets) {
  // OAEP with SHA-1 for both the label hash and MGF1, empty label: rohmu's fixed choice.
  std::string block = ASTACUS_TRY(rsa_oaep_encrypt(public_key, OaepHash::kSha1, secrets));
  if (block.size() > 0xffff) return errorf(ErrorCode::kInvalidArgument, "RSA key too large: {} bytes", block.size());
  std::string prefix;
  prefix.reserve(kFixedHeaderSize + block.size());
  prefix.append(kMagic);
  prefix.push_back(static_cast<char>(block.size() >> 8));
  prefix.push_back(static_cast<char>(block.size() & 0xff));
  prefix += block;
  return prefix;
}

Result<size_t> prefix_size(std::string_view head) {
  size_t known = std::min(head.size(), kMagic.size());
  if (head.substr(0, known) != kMagic.substr(0, known)) return errorf(ErrorCode::kCorruption, "Invalid magic bytes");
  if (head.size() < kFixedHeaderSize) return 0;
  size_t block_len =
      (static_cast<size_t>(static_cast<unsigned char>(head[6])) << 8) | static_cast<unsigned char>(head[7]);
  return kFixedHeaderSize + block_len;
}

Error truncated(size_t size, size_t prefix_size) {
  if (prefix_size == 0) return Error{ErrorCode::kCorruption, "Invalid magic bytes"};
  return Error{ErrorCode::kCorruption, fmt::format("truncated encrypted object: {} bytes, header says at least {}",
                                                   size, prefix_size + kTagSize)};
}

Result<std::string> unwrap_secrets(EVP_PKEY* private_key, std::string_view prefix) {
  std::string secrets = ASTACUS_TRY(rsa_oaep_decrypt(private_key, OaepHash::kSha1, prefix.substr(kFixedHeaderSize),
                                                     "cannot unwrap the object key with the configured private key "
                                                     "(wrong key or corrupt header)"));
  if (secrets.size() != kSecretsSize) {
    OPENSSL_cleanse(secrets.data(), secrets.size());
    return make_error(ErrorCode::kCorruption, std::string(pghoa1::kIntegrityCheckFailed));
  }
  return secrets;
}

}  // namespace pghoa1

// ---- whole-buffer functions ----------------------------------------------------------------------

Result<std::string> envelope_encrypt_with_keys(std::string_view public_pem, std::string_view aes_key,
                                               std::string_view ctr_iv, std::string_view hmac_key,
                                               std::string_view plaintext) {
  std::string secrets = ASTACUS_TRY(pghoa1::join_secrets(aes_key, ctr_iv, hmac_key));
  CleanseOnExit wipe(secrets);
  PKeyPtr key = ASTACUS_TRY(load_public_key(public_pem));
  if (plaintext.empty()) return std::string();  // rohmu writes the header lazily: nothing in, nothing out
  std::string out = ASTACUS_TRY(pghoa1::make_prefix(key.get(), secrets));
  std::string ciphertext = ASTACUS_TRY(aes_128_ctr(aes_key, ctr_iv, plaintext));
  std::string tag = ASTACUS_TRY(hmac_sha256(hmac_key, ciphertext));
  out.reserve(out.size() + ciphertext.size() + kTagSize);
  out += ciphertext;
  out += tag;
  return out;
}

Result<std::string> rsa_envelope_encrypt(std::string_view public_pem, std::string_view plaintext) {
  std::string secrets = ASTACUS_TRY(pghoa1::random_secrets());
  CleanseOnExit wipe(secrets);
  std::string_view s(secrets);
  return envelope_encrypt_with_keys(public_pem, s.substr(0, kAesKeySize), s.substr(kAesKeySize, kIvSize),
                                    s.substr(kAesKeySize + kIvSize), plaintext);
}

Result<std::string> rsa_envelope_decrypt(std::string_view private_pem, std::string_view stored) {
  PKeyPtr key = ASTACUS_TRY(load_private_key(private_pem));
  if (stored.empty()) return std::string();
  const size_t prefix = ASTACUS_TRY(pghoa1::prefix_size(stored));
  if (prefix == 0 || stored.size() < prefix + kTagSize) return make_error(pghoa1::truncated(stored.size(), prefix));
  std::string secrets = ASTACUS_TRY(pghoa1::unwrap_secrets(key.get(), stored.substr(0, prefix)));
  CleanseOnExit wipe(secrets);
  std::string_view s(secrets);
  std::string_view ciphertext = stored.substr(prefix, stored.size() - prefix - kTagSize);
  std::string tag = ASTACUS_TRY(hmac_sha256(s.substr(kAesKeySize + kIvSize), ciphertext));
  if (CRYPTO_memcmp(tag.data(), stored.data() + stored.size() - kTagSize, kTagSize) != 0) {
    return make_error(ErrorCode::kCorruption, std::string(pghoa1::kIntegrityCheckFailed));
  }
  return aes_128_ctr(s.substr(0, kAesKeySize), s.substr(kAesKeySize, kIvSize), ciphertext);
}

Result<RsaKeyPem> generate_rsa_key(int bits) {
  if (bits < 1024 || bits > 16384) {
    return errorf(ErrorCode::kInvalidArgument, "RSA key size {} outside 1024..16384 bits", bits);
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(static_cast<unsigned>(bits)),
                                                          EVP_PKEY_free);
  if (!key) return openssl_failure("RSA key generation");
  RsaKeyPem pem;
  pem.public_pem = ASTACUS_TRY(pem_of(key.get(), false));
  pem.private_pem = ASTACUS_TRY(pem_of(key.get(), true));
  return pem;
}

}  // namespace astacus::codec

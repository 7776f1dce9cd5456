#pragma once
// rohmu's RSA-envelope encryption ("pghoa1", storage-formats.md §1.3):
//   "pghoa1" ‖ u16be L ‖ RSA-OAEP(SHA-1, MGF1-SHA-1)(aes_key16 ‖ ctr_iv16 ‖ hmac_key32) [L bytes]
//   ‖ AES-128-CTR(aes_key, full 128-bit big-endian counter from ctr_iv)(plaintext)
//   ‖ HMAC-SHA256(hmac_key, ciphertext only) [32 bytes]
// An empty plaintext is stored as 0 bytes. Whole-buffer functions; thread-safe. Parsed keys are
// cached per PEM text for the life of the process, so repeated calls do not re-parse.

#include <openssl/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// Encrypts with fresh random keys (RAND_bytes). `public_pem` is an SPKI "BEGIN PUBLIC KEY" RSA
/// key. Errors: InvalidArgument for an unusable key, Internal for OpenSSL failures.
Result<std::string> rsa_envelope_encrypt(std::string_view public_pem, std::string_view plaintext);

/// Decrypts a stored object. `private_pem` is PKCS#8 "BEGIN PRIVATE KEY" or PKCS#1
/// "BEGIN RSA PRIVATE KEY" (unencrypted). 0 bytes (and a header + tag with no ciphertext)
/// decrypt to "". The HMAC is checked before any plaintext is produced. Errors: Corruption
/// ("Invalid magic bytes", truncation, "Integrity check failed" for a bad key block or HMAC,
/// or a key block the private key cannot unwrap); InvalidArgument for an unusable key.
Result<std::string> rsa_envelope_decrypt(std::string_view private_pem, std::string_view stored);

/// rsa_envelope_encrypt with caller-chosen secrets (16, 16 and 32 bytes) — for deterministic
/// tests only; never reuse secrets in production. The RSA block is still randomised by OAEP.
Result<std::string> envelope_encrypt_with_keys(std::string_view public_pem, std::string_view aes_key,
                                               std::string_view ctr_iv, std::string_view hmac_key,
                                               std::string_view plaintext);

/// A freshly generated unencrypted RSA key pair: SPKI public PEM, PKCS#8 private PEM.
struct RsaKeyPem {
  std::string public_pem;
  std::string private_pem;
};

/// Generates an RSA key of `bits` bits (tests and key-setup tooling).
Result<RsaKeyPem> generate_rsa_key(int bits);

// ---- internal: the pieces the whole-buffer functions share with the streaming reader and writer
// (envelope_stream.h). Not for use outside codec.
namespace pghoa1 {

inline constexpr size_t kFixedHeaderSize = 8;  // "pghoa1" ‖ u16be L
inline constexpr size_t kAesKeySize = 16;
inline constexpr size_t kIvSize = 16;
inline constexpr size_t kHmacKeySize = 32;
inline constexpr size_t kSecretsSize = kAesKeySize + kIvSize + kHmacKeySize;  // the RSA-wrapped block
inline constexpr size_t kTagSize = 32;
/// The Corruption message for a bad tag or key block (rohmu's words).
inline constexpr std::string_view kIntegrityCheckFailed = "Integrity check failed";

/// aes_key ‖ ctr_iv ‖ hmac_key. InvalidArgument unless they are 16, 16 and 32 bytes.
Result<std::string> join_secrets(std::string_view aes_key, std::string_view ctr_iv, std::string_view hmac_key);
/// kSecretsSize fresh random bytes (RAND_bytes).
Result<std::string> random_secrets();
/// Everything before the ciphertext: "pghoa1" ‖ u16be L ‖ RSA-OAEP-SHA1(secrets) [L].
Result<std::string> make_prefix(EVP_PKEY* public_key, std::string_view secrets);
/// The size of everything before the ciphertext, read from an object's first bytes (any number of
/// them); 0 while fewer than 8 are known. Corruption "Invalid magic bytes" as soon as they cannot
/// start a pghoa1 object.
Result<size_t> prefix_size(std::string_view head);
/// The error for a non-empty object of `size` bytes that ends before its tag; `prefix_size` is 0
/// when fewer than 8 bytes were seen.
Error truncated(size_t size, size_t prefix_size);
/// The secrets a complete prefix wraps. Corruption when `private_key` cannot unwrap them.
Result<std::string> unwrap_secrets(EVP_PKEY* private_key, std::string_view prefix);

}  // namespace pghoa1

}  // namespace astacus::codec

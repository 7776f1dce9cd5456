#pragma once
// Internal helpers for the OpenSSL-based codecs: error text from the OpenSSL error queue, RSA-OAEP
// key wrapping, and reusable AES-CTR / HMAC-SHA256 contexts. Shared by the whole-buffer envelopes
// (rsa_envelope.cc, data_key_envelope.cc) and their streaming versions (envelope_stream.cc).

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// "<what>: <first OpenSSL error>" and clears the thread's OpenSSL error queue.
std::string openssl_error(std::string_view what);

/// An Internal error naming the failed OpenSSL operation (openssl_error()).
tl::unexpected<Error> openssl_failure(std::string_view what);

inline const unsigned char* as_uchars(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
inline unsigned char* as_uchars(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

/// Wipes a secret held in a string when it goes out of scope, on every return path.
class CleanseOnExit {
 public:
  explicit CleanseOnExit(std::string& secret) : secret_(secret) {}
  ~CleanseOnExit();
  CleanseOnExit(const CleanseOnExit&) = delete;
  CleanseOnExit& operator=(const CleanseOnExit&) = delete;

 private:
  std::string& secret_;
};

/// The hash RSA-OAEP uses for both the label and MGF1 (the label is always empty).
enum class OaepHash { kSha1, kSha256 };

/// RSA-OAEP encryption of a short secret. Internal error when OpenSSL fails.
Result<std::string> rsa_oaep_encrypt(EVP_PKEY* public_key, OaepHash hash, std::string_view secret);

/// RSA-OAEP decryption. Corruption "<failure>: <OpenSSL reason>" when `private_key` cannot decrypt
/// `block` (wrong key or corrupt bytes); Internal when OpenSSL cannot be set up.
Result<std::string> rsa_oaep_decrypt(EVP_PKEY* private_key, OaepHash hash, std::string_view block,
                                     std::string_view failure);

/// AES in CTR mode with the whole 16-byte IV as the initial counter block, incremented as one
/// 128-bit big-endian integer (OpenSSL's rule, and rohmu's). CTR is its own inverse, so apply()
/// both encrypts and decrypts. One context per object: create() once, start() re-keys it, and
/// successive apply() calls continue the keystream (partial blocks included).
class AesCtr {
 public:
  enum class KeyBits { k128, k256 };
  static Result<AesCtr> create(KeyBits bits);

  /// `key` is 16 or 32 bytes (as created), `iv` 16 bytes.
  Status start(const unsigned char* key, const unsigned char* iv);
  /// `out` holds in.size() bytes and does not overlap `in`.
  Status apply(std::string_view in, unsigned char* out);

 private:
  struct Free {
    void operator()(EVP_CIPHER_CTX* ctx) const;
  };
  explicit AesCtr(EVP_CIPHER_CTX* ctx) : ctx_(ctx) {}
  std::unique_ptr<EVP_CIPHER_CTX, Free> ctx_;
};

/// HMAC-SHA256 over data fed in any number of pieces; start() (re-)keys it.
class HmacSha256 {
 public:
  static constexpr size_t kSize = 32;
  static Result<HmacSha256> create();

  Status start(const unsigned char* key, size_t key_size);
  Status update(std::string_view data);
  /// Writes the kSize-byte tag of everything fed since start().
  Status finish(unsigned char* tag);
  /// start(), update(data), finish(tag) in one call.
  Status compute(const unsigned char* key, size_t key_size, std::string_view data, unsigned char* tag);

 private:
  struct Free {
    void operator()(EVP_MAC_CTX* ctx) const;
  };
  explicit HmacSha256(EVP_MAC_CTX* ctx) : ctx_(ctx) {}
  std::unique_ptr<EVP_MAC_CTX, Free> ctx_;
};

}  // namespace astacus::codec

#pragma once
// Opt-in "astdk1" data-key envelope: one random 32-byte data key is RSA-wrapped once (e.g. per
// backup) and reused for many objects, so a reader does one RSA private-key operation per
// distinct wrapped key instead of one per object (pghoa1, rsa_envelope.h). Python Astacus / rohmu
// cannot read it. Layout (README.md "astdk1"):
//   "astdk1" ‖ u16be W ‖ wrapped [W] ‖ nonce [16] ‖ AES-256-CTR(enc_key, counter = nonce)(plaintext)
//   ‖ HMAC-SHA256(mac_key, everything before the tag) [32]
//   wrapped = RSA-OAEP(SHA-256, MGF1-SHA-256, empty label)(data key)
//   enc_key = HMAC-SHA256(data key, "astacus-dk1 enc"), mac_key = HMAC-SHA256(data key, "astacus-dk1 mac")
// Thread-safe.

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// A data key and its RSA-wrapped form. Keep `key` secret; `wrapped` is stored in every object.
struct DataKey {
  std::string key;      // 32 random bytes
  std::string wrapped;  // RSA-OAEP(SHA-256, MGF1-SHA-256, empty label)(key) with the public key
};

/// Draws a fresh key (RAND_bytes) and wraps it with `public_pem` (SPKI "BEGIN PUBLIC KEY" RSA).
/// Errors: InvalidArgument for an unusable key, Internal for OpenSSL failures (named).
Result<DataKey> new_data_key(std::string_view public_pem);

/// One self-contained astdk1 object with a fresh random nonce. The empty plaintext gives a
/// header + nonce + tag object (never 0 bytes). Errors: InvalidArgument when `dk.key` is not
/// 32 bytes or `dk.wrapped` is empty or longer than 65535 bytes; Internal for OpenSSL failures.
/// Does not check that `dk.wrapped` really wraps `dk.key` (that needs the private key).
Result<std::string> data_key_encrypt(const DataKey& dk, std::string_view plaintext);

/// True when `stored` starts with the "astdk1" magic (and so is not a pghoa1 or plain object).
bool is_data_key_object(std::string_view stored);

/// Bounded, thread-safe cache of unwrapped data keys (keyed by the wrapped bytes and the private
/// key that unwrapped them) and of parsed private keys (keyed by PEM text). Only successful
/// unwraps are cached. Concurrent misses on the same wrapped key share one RSA operation.
/// Eviction is least-recently-used. Secrets are cleansed when evicted or destroyed.
class DataKeyCache {
 public:
  static constexpr size_t kDefaultMaxKeys = 64;
  static constexpr size_t kDefaultMaxPrivateKeys = 8;

  explicit DataKeyCache(size_t max_keys = kDefaultMaxKeys, size_t max_private_keys = kDefaultMaxPrivateKeys);
  ~DataKeyCache();
  DataKeyCache(const DataKeyCache&) = delete;
  DataKeyCache& operator=(const DataKeyCache&) = delete;

  /// The 32-byte data key inside `wrapped`. `private_pem`: PKCS#8 or PKCS#1, unencrypted.
  /// Errors: Corruption when the private key cannot unwrap it (wrong key or corrupt bytes) or
  /// it does not hold 32 bytes; InvalidArgument for an unusable PEM.
  Result<std::string> unwrap(std::string_view private_pem, std::string_view wrapped);

  /// RSA private-key operations performed so far (successful or not).
  size_t unwrap_count() const { return unwrap_count_.load(std::memory_order_relaxed); }
  /// Private-key lookups that missed the PEM → EVP_PKEY cache so far.
  size_t private_key_misses() const { return private_key_misses_.load(std::memory_order_relaxed); }
  /// Unwrapped keys currently cached.
  size_t size() const;

  /// Internal (the astdk1 readers): a data key and the keys derived from it; wiped when destroyed.
  struct Keys {
    unsigned char raw[32] = {};
    unsigned char enc[32] = {};  // HMAC-SHA256(raw, "astacus-dk1 enc")
    unsigned char mac[32] = {};  // HMAC-SHA256(raw, "astacus-dk1 mac")

    Keys() = default;
    Keys(const Keys&) = default;
    Keys& operator=(const Keys&) = default;
    ~Keys();
  };

  /// Internal (the astdk1 readers): unwrap() with the derived keys, through the cache.
  Result<Keys> keys_for(std::string_view private_pem, std::string_view wrapped);

 private:
  struct Impl;

  std::unique_ptr<Impl> impl_;
  std::atomic<size_t> unwrap_count_{0};
  std::atomic<size_t> private_key_misses_{0};
};

/// Decrypts an astdk1 object, unwrapping its data key through `cache`. The tag is checked
/// before any plaintext is produced. Errors: Corruption naming the fault ("truncated ... header",
/// "bad magic", wrapped length beyond the data, "authentication tag mismatch", or the private
/// key cannot unwrap the data key); InvalidArgument for an unusable PEM.
Result<std::string> data_key_decrypt(std::string_view private_pem, std::string_view stored,
                                     DataKeyCache& cache);

// ---- internal: the pieces the whole-buffer functions share with the streaming reader and writer
// (envelope_stream.h). Not for use outside codec.
namespace astdk1 {

inline constexpr size_t kFixedHeaderSize = 8;  // "astdk1" ‖ u16be W
inline constexpr size_t kKeySize = 32;
inline constexpr size_t kNonceSize = 16;
inline constexpr size_t kTagSize = 32;
/// The Corruption message for a tag that does not match.
inline constexpr std::string_view kTagMismatch = "data-key object: authentication tag mismatch";

/// InvalidArgument unless `dk` can be written: a 32-byte key and a 1..65535-byte wrapped key.
Status check_data_key(const DataKey& dk);
/// The encryption and MAC keys of a raw 32-byte data key.
Result<DataKeyCache::Keys> derive_keys(std::string_view raw_key);
/// Appends everything before the ciphertext: "astdk1" ‖ u16be W ‖ wrapped [W] ‖ nonce [16].
void append_prefix(std::string& out, std::string_view wrapped, std::string_view nonce);
/// The size of everything before the ciphertext, read from an object's first bytes (any number of
/// them); 0 while fewer than 8 are known. Corruption ("bad magic", "wrapped key length is 0") as
/// soon as they cannot start a valid astdk1 object.
Result<size_t> prefix_size(std::string_view head);
/// The error for an object of `size` bytes that ends before its tag; `prefix_size` is 0 when
/// fewer than 8 bytes were seen.
Error truncated(size_t size, size_t prefix_size);
/// The wrapped key and the nonce inside a complete prefix.
inline std::string_view wrapped_key_of(std::string_view prefix) {
  return prefix.substr(kFixedHeaderSize, prefix.size() - kFixedHeaderSize - kNonceSize);
}
inline std::string_view nonce_of(std::string_view prefix) { return prefix.substr(prefix.size() - kNonceSize); }

}  // namespace astdk1

}  // namespace astacus::codec

#include "codec/data_key_envelope.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "codec/openssl_util.h"
#include "codec/rsa_keys.h"

namespace astacus::codec {

namespace {

constexpr std::string_view kMagic = "astdk1";
constexpr size_t kHeaderFixed = 8;  // magic + u16be wrapped length
constexpr size_t kKeySize = 32;
constexpr size_t kNonceSize = 16;
constexpr size_t kTagSize = 32;
constexpr std::string_view kEncLabel = "astacus-dk1 enc";
constexpr std::string_view kMacLabel = "astacus-dk1 mac";

using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

tl::unexpected<Error> internal(std::string_view what) {
  return make_error(ErrorCode::kInternal, openssl_error(what));
}

// Algorithms fetched once for the process (an implicit fetch per EVP_aes_256_ctr() init is
// measurable on 16 KiB objects). Never freed: they live as long as the process.
struct Algorithms {
  EVP_CIPHER* aes_256_ctr = nullptr;
  EVP_MAC* hmac = nullptr;
};

const Algorithms& algorithms() {
  static const Algorithms algs{EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr),
                               EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  return algs;
}

// Per-thread contexts, set up once and re-keyed per call: no allocation on the hot path.
struct ThreadCtx {
  EVP_CIPHER_CTX* cipher = nullptr;  // AES-256-CTR, encrypt direction (CTR is its own inverse)
  EVP_MAC_CTX* mac = nullptr;        // HMAC with SHA-256
  ThreadCtx() = default;
  ThreadCtx(const ThreadCtx&) = delete;
  ThreadCtx& operator=(const ThreadCtx&) = delete;
  ~ThreadCtx() {
    EVP_CIPHER_CTX_free(cipher);
    EVP_MAC_CTX_free(mac);
  }
};

Result<ThreadCtx*> thread_ctx() {
  thread_local ThreadCtx ctx;
  if (ctx.cipher && ctx.mac) return &ctx;
  const Algorithms& algs = algorithms();
  if (!algs.aes_256_ctr) return internal("fetching AES-256-CTR");
  if (!algs.hmac) return internal("fetching HMAC");
  if (!ctx.cipher) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    if (!c || EVP_EncryptInit_ex2(c, algs.aes_256_ctr, nullptr, nullptr, nullptr) != 1) {
      EVP_CIPHER_CTX_free(c);
      return internal("AES-256-CTR context setup");
    }
    ctx.cipher = c;
  }
  if (!ctx.mac) {
    EVP_MAC_CTX* m = EVP_MAC_CTX_new(algs.hmac);
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!m || EVP_MAC_CTX_set_params(m, params) != 1) {
      EVP_MAC_CTX_free(m);
      return internal("HMAC-SHA256 context setup");
    }
    ctx.mac = m;
  }
  return &ctx;
}

Status hmac_sha256(EVP_MAC_CTX* mac, const unsigned char* key, std::string_view data, unsigned char* out) {
  size_t len = 0;
  if (EVP_MAC_init(mac, key, kKeySize, nullptr) != 1 || EVP_MAC_update(mac, bytes(data), data.size()) != 1 ||
      EVP_MAC_final(mac, out, &len, kTagSize) != 1 || len != kTagSize) {
    return internal("HMAC-SHA256");
  }
  return ok();
}

// AES-256-CTR with the whole 16-byte nonce as the initial counter block (OpenSSL increments it as a
// 128-bit big-endian integer). `out` may not overlap `in`.
Status aes_256_ctr(EVP_CIPHER_CTX* cipher, const unsigned char* key, const unsigned char* nonce,
                   std::string_view in, unsigned char* out) {
  if (EVP_EncryptInit_ex2(cipher, nullptr, key, nonce, nullptr) != 1) return internal("AES-256-CTR init");
  constexpr size_t kStep = size_t{1} << 30;  // EVP takes int lengths
  for (size_t pos = 0; pos < in.size(); pos += kStep) {
    size_t n = std::min(kStep, in.size() - pos);
    int written = 0;
    if (EVP_EncryptUpdate(cipher, out + pos, &written, bytes(in) + pos, static_cast<int>(n)) != 1 ||
        static_cast<size_t>(written) != n) {
      return internal("AES-256-CTR");
    }
  }
  return ok();
}

// OAEP with SHA-256 for the label hash and MGF1, empty label.
bool set_oaep_sha256(EVP_PKEY_CTX* ctx) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) > 0;
}

uint64_t read_u16be(std::string_view s, size_t at) {
  return (static_cast<uint64_t>(static_cast<unsigned char>(s[at])) << 8) | static_cast<unsigned char>(s[at + 1]);
}

}  // namespace

// ---- keys ------------------------------------------------------------------------------------

struct DataKeyCache::Keys {
  unsigned char raw[kKeySize] = {};
  unsigned char enc[kKeySize] = {};
  unsigned char mac[kKeySize] = {};

  Keys() = default;
  Keys(const Keys&) = default;
  Keys& operator=(const Keys&) = default;
  ~Keys() { OPENSSL_cleanse(this, sizeof(*this)); }
};

namespace {

using Keys = DataKeyCache::Keys;

Result<Keys> derive(EVP_MAC_CTX* mac, const unsigned char* raw) {
  Keys keys;
  std::memcpy(keys.raw, raw, kKeySize);
  ASTACUS_CHECK(hmac_sha256(mac, raw, kEncLabel, keys.enc));
  ASTACUS_CHECK(hmac_sha256(mac, raw, kMacLabel, keys.mac));
  return keys;
}

}  // namespace

// ---- cache -----------------------------------------------------------------------------------

struct DataKeyCache::Impl {
  struct Entry {
    PKeyPtr owner;  // the private key that unwrapped it (kept alive, so the pointer is an identity)
    Keys keys;
    uint64_t last_used = 0;
  };
  struct Flight {
    EVP_PKEY* owner = nullptr;
    std::shared_future<Result<Keys>> result;
  };
  struct PemEntry {
    PKeyPtr key;
    uint64_t last_used = 0;
  };

  size_t max_keys;
  size_t max_pems;
  mutable std::mutex mu;
  uint64_t tick = 0;
  std::map<std::string, Entry, std::less<>> keys;      // wrapped bytes → unwrapped keys
  std::map<std::string, Flight, std::less<>> flights;  // unwraps in progress
  std::map<std::string, PemEntry, std::less<>> pems;   // private PEM → parsed key

  template <typename Map>
  static void evict_lru(Map& map) {
    auto oldest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    if (oldest != map.end()) map.erase(oldest);
  }
};

DataKeyCache::DataKeyCache(size_t max_keys, size_t max_private_keys) : impl_(std::make_unique<Impl>()) {
  impl_->max_keys = std::max<size_t>(1, max_keys);
  impl_->max_pems = std::max<size_t>(1, max_private_keys);
}

DataKeyCache::~DataKeyCache() = default;

size_t DataKeyCache::size() const {
  std::lock_guard lock(impl_->mu);
  return impl_->keys.size();
}

Result<DataKeyCache::Keys> DataKeyCache::keys_for(std::string_view private_pem, std::string_view wrapped) {
  Impl& im = *impl_;
  PKeyPtr pkey;
  std::shared_future<Result<Keys>> wait_on;
  std::optional<std::promise<Result<Keys>>> promise;  // set when this call leads the unwrap
  {  // the hot path: one lock, no allocation
    std::lock_guard lock(im.mu);
    if (auto it = im.pems.find(private_pem); it != im.pems.end()) {
      it->second.last_used = ++im.tick;
      pkey = it->second.key;
      if (auto k = im.keys.find(wrapped); k != im.keys.end() && k->second.owner.get() == pkey.get()) {
        k->second.last_used = ++im.tick;
        return k->second.keys;
      }
    }
  }
  if (!pkey) {
    private_key_misses_.fetch_add(1, std::memory_order_relaxed);
    pkey = ASTACUS_TRY(load_private_key(private_pem));
    std::lock_guard lock(im.mu);
    if (im.pems.size() >= im.max_pems && !im.pems.contains(private_pem)) Impl::evict_lru(im.pems);
    auto& e = im.pems[std::string(private_pem)];
    e.key = pkey;
    e.last_used = ++im.tick;
  }
  {
    std::lock_guard lock(im.mu);
    if (auto it = im.keys.find(wrapped); it != im.keys.end() && it->second.owner.get() == pkey.get()) {
      it->second.last_used = ++im.tick;
      return it->second.keys;
    }
    auto flight = im.flights.find(wrapped);
    if (flight != im.flights.end() && flight->second.owner == pkey.get()) {
      wait_on = flight->second.result;
    } else if (flight == im.flights.end()) {
      promise.emplace();
      im.flights.emplace(std::string(wrapped), Impl::Flight{pkey.get(), promise->get_future().share()});
    }
    // else: another private key is unwrapping the same bytes; do our own, unshared.
  }
  if (wait_on.valid()) return wait_on.get();

  auto unwrap_now = [&]() -> Result<Keys> {
    unwrap_count_.fetch_add(1, std::memory_order_relaxed);
    PKeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr), EVP_PKEY_CTX_free);
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !set_oaep_sha256(ctx.get())) {
      return internal("RSA-OAEP decrypt setup");
    }
    std::string raw(static_cast<size_t>(std::max(EVP_PKEY_get_size(pkey.get()), 0)), '\0');
    size_t len = raw.size();
    if (EVP_PKEY_decrypt(ctx.get(), bytes(raw), &len, bytes(wrapped), wrapped.size()) <= 0) {
      return make_error(ErrorCode::kCorruption,
                        openssl_error("cannot unwrap the data key with the configured private key "
                                      "(wrong key or corrupt wrapped key)"));
    }
    if (len != kKeySize) {
      OPENSSL_cleanse(raw.data(), raw.size());
      return errorf(ErrorCode::kCorruption, "unwrapped data key is {} bytes, expected {}", len, kKeySize);
    }
    auto ctxs = thread_ctx();
    auto keys = ctxs ? derive((*ctxs)->mac, bytes(raw)) : Result<Keys>(make_error(ctxs.error()));
    OPENSSL_cleanse(raw.data(), raw.size());
    return keys;
  };
  Result<Keys> result = unwrap_now();
  {
    std::lock_guard lock(im.mu);
    if (result) {
      auto it = im.keys.find(wrapped);
      if (it == im.keys.end()) {
        if (im.keys.size() >= im.max_keys) Impl::evict_lru(im.keys);
        it = im.keys.emplace(std::string(wrapped), Impl::Entry{}).first;
      }
      it->second.owner = pkey;
      it->second.keys = *result;
      it->second.last_used = ++im.tick;
    }
    if (promise) {
      if (auto it = im.flights.find(wrapped); it != im.flights.end()) im.flights.erase(it);
    }
  }
  if (promise) promise->set_value(result);
  return result;
}

Result<std::string> DataKeyCache::unwrap(std::string_view private_pem, std::string_view wrapped) {
  Keys keys = ASTACUS_TRY(keys_for(private_pem, wrapped));
  return std::string(reinterpret_cast<const char*>(keys.raw), kKeySize);
}

// ---- objects ---------------------------------------------------------------------------------

Result<DataKey> new_data_key(std::string_view public_pem) {
  PKeyPtr pkey = ASTACUS_TRY(load_public_key(public_pem));
  DataKey dk;
  dk.key.assign(kKeySize, '\0');
  if (RAND_bytes(bytes(dk.key), static_cast<int>(kKeySize)) != 1) return internal("RAND_bytes for the data key");
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new(pkey.get(), nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !set_oaep_sha256(ctx.get())) {
    return internal("RSA-OAEP encrypt setup for the data key");
  }
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, bytes(dk.key), dk.key.size()) <= 0) {
    return internal("RSA-OAEP size for the data key");
  }
  dk.wrapped.assign(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), bytes(dk.wrapped), &len, bytes(dk.key), dk.key.size()) <= 0) {
    return internal("RSA-OAEP wrapping the data key");
  }
  dk.wrapped.resize(len);
  if (dk.wrapped.size() > 0xffff) {
    return errorf(ErrorCode::kInvalidArgument, "RSA key too large: wrapped data key is {} bytes", len);
  }
  return dk;
}

Result<std::string> data_key_encrypt(const DataKey& dk, std::string_view plaintext) {
  if (dk.key.size() != kKeySize) {
    return errorf(ErrorCode::kInvalidArgument, "data key must be {} bytes, got {}", kKeySize, dk.key.size());
  }
  if (dk.wrapped.empty() || dk.wrapped.size() > 0xffff) {
    return errorf(ErrorCode::kInvalidArgument, "wrapped data key must be 1..65535 bytes, got {}",
                  dk.wrapped.size());
  }
  ThreadCtx* ctx = ASTACUS_TRY(thread_ctx());
  Keys keys = ASTACUS_TRY(derive(ctx->mac, bytes(dk.key)));
  const size_t body = kHeaderFixed + dk.wrapped.size() + kNonceSize;
  std::string out(body + plaintext.size() + kTagSize, '\0');
  unsigned char* p = bytes(out);
  std::memcpy(p, kMagic.data(), kMagic.size());
  p[6] = static_cast<unsigned char>(dk.wrapped.size() >> 8);
  p[7] = static_cast<unsigned char>(dk.wrapped.size() & 0xff);
  std::memcpy(p + kHeaderFixed, dk.wrapped.data(), dk.wrapped.size());
  unsigned char* nonce = p + body - kNonceSize;
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) return internal("RAND_bytes for the nonce");
  ASTACUS_CHECK(aes_256_ctr(ctx->cipher, keys.enc, nonce, plaintext, p + body));
  std::string_view authenticated(out.data(), out.size() - kTagSize);
  ASTACUS_CHECK(hmac_sha256(ctx->mac, keys.mac, authenticated, p + out.size() - kTagSize));
  return out;
}

bool is_data_key_object(std::string_view stored) { return stored.substr(0, kMagic.size()) == kMagic; }

Result<std::string> data_key_decrypt(std::string_view private_pem, std::string_view stored, DataKeyCache& cache) {
  size_t prefix = std::min(stored.size(), kMagic.size());
  if (stored.substr(0, prefix) != kMagic.substr(0, prefix)) {
    return errorf(ErrorCode::kCorruption, "data-key object: bad magic (expected \"astdk1\")");
  }
  if (stored.size() < kHeaderFixed) {
    return errorf(ErrorCode::kCorruption, "data-key object: truncated header: {} bytes, need at least {}",
                  stored.size(), kHeaderFixed);
  }
  const size_t wrapped_len = read_u16be(stored, kMagic.size());
  const size_t body = kHeaderFixed + wrapped_len + kNonceSize;
  if (wrapped_len == 0) return errorf(ErrorCode::kCorruption, "data-key object: wrapped key length is 0");
  if (stored.size() < body + kTagSize) {
    return errorf(ErrorCode::kCorruption,
                  "data-key object: wrapped key length {} goes beyond the data: {} bytes, need at least {} "
                  "for header, wrapped key, nonce and tag",
                  wrapped_len, stored.size(), body + kTagSize);
  }
  Keys keys = ASTACUS_TRY(cache.keys_for(private_pem, stored.substr(kHeaderFixed, wrapped_len)));
  ThreadCtx* ctx = ASTACUS_TRY(thread_ctx());
  unsigned char tag[kTagSize];
  ASTACUS_CHECK(hmac_sha256(ctx->mac, keys.mac, stored.substr(0, stored.size() - kTagSize), tag));
  if (CRYPTO_memcmp(tag, stored.data() + stored.size() - kTagSize, kTagSize) != 0) {
    return errorf(ErrorCode::kCorruption, "data-key object: authentication tag mismatch");
  }
  std::string_view ciphertext = stored.substr(body, stored.size() - body - kTagSize);
  std::string out(ciphertext.size(), '\0');
  ASTACUS_CHECK(aes_256_ctr(ctx->cipher, keys.enc, bytes(stored) + body - kNonceSize, ciphertext, bytes(out)));
  return out;
}

}  // namespace astacus::codec

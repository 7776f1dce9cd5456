#include "codec/data_key_envelope.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

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

using astdk1::kFixedHeaderSize;
using astdk1::kKeySize;
using astdk1::kNonceSize;
using astdk1::kTagSize;
using Keys = DataKeyCache::Keys;

namespace {

constexpr std::string_view kMagic = "astdk1";
constexpr std::string_view kEncLabel = "astacus-dk1 enc";
constexpr std::string_view kMacLabel = "astacus-dk1 mac";

// Per-thread contexts, set up once and re-keyed per call: no allocation on the hot path.
struct ThreadCtx {
  AesCtr cipher;  // AES-256-CTR (CTR is its own inverse)
  HmacSha256 mac;
};

Result<ThreadCtx*> thread_ctx() {
  thread_local std::optional<ThreadCtx> ctx;
  if (!ctx) {
    AesCtr cipher = ASTACUS_TRY(AesCtr::create(AesCtr::KeyBits::k256));
    HmacSha256 mac = ASTACUS_TRY(HmacSha256::create());
    ctx.emplace(ThreadCtx{std::move(cipher), std::move(mac)});
  }
  return &*ctx;
}

uint64_t read_u16be(std::string_view s, size_t at) {
  return (static_cast<uint64_t>(static_cast<unsigned char>(s[at])) << 8) | static_cast<unsigned char>(s[at + 1]);
}

}  // namespace

// ---- keys ------------------------------------------------------------------------------------

static_assert(sizeof(Keys::raw) == kKeySize && sizeof(Keys::enc) == kKeySize && sizeof(Keys::mac) == kKeySize);

DataKeyCache::Keys::~Keys() { OPENSSL_cleanse(this, sizeof(*this)); }

namespace astdk1 {

Result<Keys> derive_keys(std::string_view raw_key) {
  if (raw_key.size() != kKeySize) return errorf(ErrorCode::kInternal, "data key of {} bytes", raw_key.size());
  ThreadCtx* ctx = ASTACUS_TRY(thread_ctx());
  Keys keys;
  std::memcpy(keys.raw, raw_key.data(), kKeySize);
  ASTACUS_CHECK(ctx->mac.compute(keys.raw, kKeySize, kEncLabel, keys.enc));
  ASTACUS_CHECK(ctx->mac.compute(keys.raw, kKeySize, kMacLabel, keys.mac));
  return keys;
}

}  // namespace astdk1

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
    std::string raw = ASTACUS_TRY(rsa_oaep_decrypt(pkey.get(), OaepHash::kSha256, wrapped,
                                                   "cannot unwrap the data key with the configured private key "
                                                   "(wrong key or corrupt wrapped key)"));
    CleanseOnExit wipe(raw);
    if (raw.size() != kKeySize) {
      return errorf(ErrorCode::kCorruption, "unwrapped data key is {} bytes, expected {}", raw.size(), kKeySize);
    }
    return astdk1::derive_keys(raw);
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

namespace astdk1 {

Status check_data_key(const DataKey& dk) {
  if (dk.key.size() != kKeySize) {
    return errorf(ErrorCode::kInvalidArgument, "data key must be {} bytes, got {}", kKeySize, dk.key.size());
  }
  if (dk.wrapped.empty() || dk.wrapped.size() > 0xffff) {
    return errorf(ErrorCode::kInvalidArgument, "wrapped data key must be 1..65535 bytes, got {}",
                  dk.wrapped.size());
  }
  return ok();
}

void append_prefix(std::string& out, std::string_view wrapped, std::string_view nonce) {
  out.append(kMagic);
  out.push_back(static_cast<char>(wrapped.size() >> 8));
  out.push_back(static_cast<char>(wrapped.size() & 0xff));
  out.append(wrapped);
  out.append(nonce);
}

Result<size_t> prefix_size(std::string_view head) {
  size_t known = std::min(head.size(), kMagic.size());
  if (head.substr(0, known) != kMagic.substr(0, known)) {
    return errorf(ErrorCode::kCorruption, "data-key object: bad magic (expected \"astdk1\")");
  }
  if (head.size() < kFixedHeaderSize) return 0;
  const size_t wrapped_len = read_u16be(head, kMagic.size());
  if (wrapped_len == 0) return errorf(ErrorCode::kCorruption, "data-key object: wrapped key length is 0");
  return kFixedHeaderSize + wrapped_len + kNonceSize;
}

Error truncated(size_t size, size_t prefix_size) {
  if (prefix_size == 0) {
    return Error{ErrorCode::kCorruption,
                 fmt::format("data-key object: truncated header: {} bytes, need at least {}", size, kFixedHeaderSize)};
  }
  return Error{ErrorCode::kCorruption,
               fmt::format("data-key object: wrapped key length {} goes beyond the data: {} bytes, need at least {} "
                           "for header, wrapped key, nonce and tag",
                           prefix_size - kFixedHeaderSize - kNonceSize, size, prefix_size + kTagSize)};
}

}  // namespace astdk1

Result<DataKey> new_data_key(std::string_view public_pem) {
  PKeyPtr pkey = ASTACUS_TRY(load_public_key(public_pem));
  DataKey dk;
  dk.key.assign(kKeySize, '\0');
  if (RAND_bytes(as_uchars(dk.key), static_cast<int>(kKeySize)) != 1) {
    return openssl_failure("RAND_bytes for the data key");
  }
  // OAEP with SHA-256 for the label hash and MGF1, empty label.
  dk.wrapped = ASTACUS_TRY(rsa_oaep_encrypt(pkey.get(), OaepHash::kSha256, dk.key));
  if (dk.wrapped.size() > 0xffff) {
    return errorf(ErrorCode::kInvalidArgument, "RSA key too large: wrapped data key is {} bytes", dk.wrapped.size());
  }
  return dk;
}

Result<std::string> data_key_encrypt(const DataKey& dk, std::string_view plaintext) {
  ASTACUS_CHECK(astdk1::check_data_key(dk));
  Keys keys = ASTACUS_TRY(astdk1::derive_keys(dk.key));
  ThreadCtx* ctx = ASTACUS_TRY(thread_ctx());
  unsigned char nonce[kNonceSize];
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) return openssl_failure("RAND_bytes for the nonce");
  const size_t body = kFixedHeaderSize + dk.wrapped.size() + kNonceSize;
  std::string out;
  out.reserve(body + plaintext.size() + kTagSize);
  astdk1::append_prefix(out, dk.wrapped, std::string_view(reinterpret_cast<const char*>(nonce), kNonceSize));
  out.resize(body + plaintext.size() + kTagSize);
  unsigned char* p = as_uchars(out);
  ASTACUS_CHECK(ctx->cipher.start(keys.enc, nonce));
  ASTACUS_CHECK(ctx->cipher.apply(plaintext, p + body));
  std::string_view authenticated(out.data(), out.size() - kTagSize);
  ASTACUS_CHECK(ctx->mac.compute(keys.mac, kKeySize, authenticated, p + out.size() - kTagSize));
  return out;
}

bool is_data_key_object(std::string_view stored) { return stored.substr(0, kMagic.size()) == kMagic; }

Result<std::string> data_key_decrypt(std::string_view private_pem, std::string_view stored, DataKeyCache& cache) {
  const size_t body = ASTACUS_TRY(astdk1::prefix_size(stored));
  if (body == 0 || stored.size() < body + kTagSize) return make_error(astdk1::truncated(stored.size(), body));
  std::string_view prefix = stored.substr(0, body);
  Keys keys = ASTACUS_TRY(cache.keys_for(private_pem, astdk1::wrapped_key_of(prefix)));
  ThreadCtx* ctx = ASTACUS_TRY(thread_ctx());
  unsigned char tag[kTagSize];
  ASTACUS_CHECK(ctx->mac.compute(keys.mac, kKeySize, stored.substr(0, stored.size() - kTagSize), tag));
  if (CRYPTO_memcmp(tag, stored.data() + stored.size() - kTagSize, kTagSize) != 0) {
    return make_error(ErrorCode::kCorruption, std::string(astdk1::kTagMismatch));
  }
  std::string_view ciphertext = stored.substr(body, stored.size() - body - kTagSize);
  std::string out(ciphertext.size(), '\0');
  ASTACUS_CHECK(ctx->cipher.start(keys.enc, as_uchars(astdk1::nonce_of(prefix))));
  ASTACUS_CHECK(ctx->cipher.apply(ciphertext, as_uchars(out)));
  return out;
}

}  // namespace astacus::codec

#include "codec/rsa_keys.h"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <map>
#include <mutex>
#include <string>

#include "codec/openssl_util.h"

namespace astacus::codec {

namespace {

enum class KeyKind { kPublic, kPrivate };

// Refuses to prompt: an encrypted PEM must fail instead of reading a passphrase from the tty.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

Result<PKeyPtr> parse(std::string_view pem, KeyKind kind) {
  std::string_view what = kind == KeyKind::kPublic ? "public" : "private";
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return errorf(ErrorCode::kInternal, "{}", openssl_error("BIO_new_mem_buf"));
  EVP_PKEY* key = kind == KeyKind::kPublic ? PEM_read_bio_PUBKEY(bio, nullptr, no_passphrase, nullptr)
                                           : PEM_read_bio_PrivateKey(bio, nullptr, no_passphrase, nullptr);
  BIO_free(bio);
  if (!key) {
    return errorf(ErrorCode::kInvalidArgument, "{}",
                  openssl_error(fmt::format("cannot parse the RSA {} key PEM", what)));
  }
  PKeyPtr ptr(key, EVP_PKEY_free);
  if (!EVP_PKEY_is_a(key, "RSA")) {
    return errorf(ErrorCode::kInvalidArgument, "the {} key PEM is not an RSA key", what);
  }
  return ptr;
}

Result<PKeyPtr> load_cached(std::string_view pem, KeyKind kind) {
  static std::mutex mu;
  static std::map<std::pair<KeyKind, std::string>, PKeyPtr, std::less<>> cache;
  std::pair<KeyKind, std::string> cache_key{kind, std::string(pem)};
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(cache_key); it != cache.end()) return it->second;
  }
  // Parsed outside the lock; a concurrent duplicate parse is harmless.
  PKeyPtr key = ASTACUS_TRY(parse(pem, kind));
  std::lock_guard lock(mu);
  return cache.emplace(std::move(cache_key), key).first->second;
}

}  // namespace

Result<PKeyPtr> load_public_key(std::string_view pem) { return load_cached(pem, KeyKind::kPublic); }

Result<PKeyPtr> load_private_key(std::string_view pem) { return load_cached(pem, KeyKind::kPrivate); }

}  // namespace astacus::codec

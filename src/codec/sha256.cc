#include "codec/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "base/encoding.h"

namespace astacus::codec {

namespace {

// Fetched once, as blake2s.cc does: EVP_sha256() makes every init look the implementation up
// again (OpenSSL 3's implicit fetch), ~1.4 us per digest; local storage hashes every blob it
// writes or reads (100k small blobs: 0.14 CPU s each way).
const EVP_MD* sha256_md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

std::string digest_hex(const unsigned char* digest, unsigned int len) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, sha256_md(), nullptr);
  return digest_hex(digest, len);
}

struct Sha256Hasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {
  // Allocation or init failure here means OpenSSL is unusable; there is nothing to recover.
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, sha256_md(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::update(std::string_view data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

std::string Sha256Hasher::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  return digest_hex(digest, len);
}

}  // namespace astacus::codec

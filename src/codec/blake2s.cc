#include "codec/blake2s.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/encoding.h"
#include "base/files.h"

namespace astacus::codec {

namespace {

const EVP_MD* blake2s_md() {
  // Fetched once: EVP_MD_fetch is comparatively slow and the result is immutable/shareable.
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "BLAKE2S-256", nullptr);
    return fetched ? fetched : EVP_blake2s256();
  }();
  return md;
}

}  // namespace

struct Blake2sHasher::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Blake2sHasher::Blake2sHasher() : impl_(std::make_unique<Impl>()) {
  // Allocation or init failure here means OpenSSL is unusable; there is nothing to recover.
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, blake2s_md(), nullptr) != 1) std::abort();
}

Blake2sHasher::~Blake2sHasher() = default;

void Blake2sHasher::update(std::string_view data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

std::string Blake2sHasher::finish_hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string blake2s_hex(std::string_view data) {
  Blake2sHasher hasher;
  hasher.update(data);
  return hasher.finish_hex();
}

Result<std::string> blake2s_file_hex(const std::filesystem::path& path, uint64_t max_bytes) {
  int fd = open_for_reading(path);
  if (fd < 0) {
    if (errno == ENOENT) return errorf(ErrorCode::kNotFound, "file not found: '{}'", path.string());
    return errorf(ErrorCode::kIoError, "cannot open '{}': {}", path.string(), std::strerror(errno));
  }
  constexpr size_t kChunk = 1 << 20;
  std::vector<char> buf(kChunk);
  Blake2sHasher hasher;
  uint64_t done = 0;
  while (done < max_bytes) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, max_bytes - done));
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return errorf(ErrorCode::kIoError, "cannot read '{}': {}", path.string(), std::strerror(err));
    }
    if (n == 0) break;
    hasher.update(std::string_view(buf.data(), static_cast<size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return hasher.finish_hex();
}

}  // namespace astacus::codec

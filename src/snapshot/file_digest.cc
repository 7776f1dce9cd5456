#include "snapshot/file_digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/encoding.h"
#include "base/files.h"

namespace astacus::snapshot::internal {

namespace {

constexpr int64_t kChunk = 1 << 20;

const EVP_MD* blake2s_md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "BLAKE2S-256", nullptr);
  return md;
}

class Blake2s {
 public:
  Status init() {
    if (!ctx_ || !blake2s_md() || EVP_DigestInit_ex(ctx_.get(), blake2s_md(), nullptr) != 1) {
      return errorf(ErrorCode::kInternal, "OpenSSL BLAKE2S-256 is not available");
    }
    return ok();
  }
  void update(const char* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string hex() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), out, &len);
    return to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

tl::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(errno));
}

}  // namespace

Result<FileContent> read_file_content(const std::filesystem::path& path, int64_t max_bytes,
                                      bool embed, const std::function<bool(int64_t)>& on_chunk,
                                      std::string* bytes_out) {
  Fd f{open_for_reading(path, O_NOFOLLOW)};
  if (f.fd < 0) {
    if (errno == ENOENT) return errorf(ErrorCode::kNotFound, "file vanished: '{}'", path.string());
    return io_error("cannot open", path);
  }
  // A file read in one call gains nothing from the hint: one system call less per small file.
  if (max_bytes > kChunk) ::posix_fadvise(f.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Blake2s hasher;
  if (!embed) ASTACUS_CHECK(hasher.init());
  std::string embedded;
  std::vector<char> buf(static_cast<size_t>(std::clamp<int64_t>(max_bytes, 1, kChunk)));
  FileContent out;
  out.identity_taken_at_ns = wall_clock_ns();
  out.identity = ASTACUS_TRY(file_identity(f.fd, path));
  while (out.bytes_read < max_bytes) {
    size_t want = static_cast<size_t>(std::min<int64_t>(kChunk, max_bytes - out.bytes_read));
    ssize_t n = ::read(f.fd, buf.data(), want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path);
    }
    if (n == 0) break;
    if (embed) {
      embedded.append(buf.data(), static_cast<size_t>(n));
    } else {
      hasher.update(buf.data(), static_cast<size_t>(n));
      if (bytes_out) bytes_out->append(buf.data(), static_cast<size_t>(n));
    }
    out.bytes_read += n;
    if (on_chunk && !on_chunk(n)) {
      return errorf(ErrorCode::kCancelled, "cancelled while reading '{}'", path.string());
    }
  }
  if (embed) {
    out.content_b64 = base64_encode(embedded);
  } else {
    out.hexdigest = hasher.hex();
  }
  return out;
}

Result<std::string> blake2s_hex(std::string_view data) {
  Blake2s hasher;
  ASTACUS_CHECK(hasher.init());
  hasher.update(data.data(), data.size());
  return hasher.hex();
}

}  // namespace astacus::snapshot::internal

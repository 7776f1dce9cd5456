#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>

namespace astacus {

namespace fs = std::filesystem;

namespace {
tl::unexpected<Error> io_error(std::string_view what, const fs::path& path) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(errno));
}
}  // namespace

int open_for_reading(const fs::path& path, int extra_flags) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME | extra_flags);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | extra_flags);
  return fd;
}

Result<std::string> read_file(const fs::path& path, uint64_t max_bytes) {
  int fd = open_for_reading(path);
  if (fd < 0) {
    if (errno == ENOENT) return errorf(ErrorCode::kNotFound, "file not found: '{}'", path.string());
    return io_error("cannot open", path);
  }
  auto out = read_open_file(fd, path, max_bytes);
  ::close(fd);
  return out;
}

Result<std::string> read_open_file(int fd, const fs::path& path, uint64_t max_bytes) {
  // Read straight into a buffer of the file's size: growing a string by appends copies a big
  // file several times and touches fresh pages at every doubling.
  struct stat st {};
  uint64_t expected = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
  std::string out;
  out.resize(std::min(expected, max_bytes));
  size_t filled = 0;
  for (;;) {
    if (filled == out.size()) {
      if (out.size() >= max_bytes) break;
      // The file grew (or its size was unknown): make room for more.
      out.resize(std::min<uint64_t>(max_bytes, std::max<uint64_t>(out.size() * 2, 1 << 16)));
    }
    ssize_t n = ::read(fd, out.data() + filled, out.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path);
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  out.resize(filled);
  return out;
}

Result<FileIdentity> file_identity(int fd, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("cannot stat", path);
  return FileIdentity{.dev = static_cast<uint64_t>(st.st_dev),
                      .ino = static_cast<uint64_t>(st.st_ino),
                      .size = static_cast<int64_t>(st.st_size),
                      .mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                      .ctime_ns = int64_t{st.st_ctim.tv_sec} * 1'000'000'000 + st.st_ctim.tv_nsec};
}

int64_t wall_clock_ns() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

bool is_settled(const FileIdentity& identity, int64_t taken_at_ns) {
  constexpr int64_t kMargin = int64_t{2'000'000'000};
  return identity.mtime_ns < taken_at_ns - kMargin;
}

Status ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return errorf(ErrorCode::kIoError, "cannot create directory '{}': {}", dir.string(), ec.message());
  return ok();
}

Status write_file_atomic(const fs::path& path, std::string_view data) {
  ASTACUS_CHECK(ensure_directory(path.parent_path()));
  fs::path tmp = path;
  tmp += "." + random_hex(8) + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  const char* p = data.data();
  size_t left = data.size();
  while (left) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto err = io_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto err = io_error("cannot flush", tmp);
    ::unlink(tmp.c_str());
    return err;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto err = io_error("cannot rename into place", path);
    ::unlink(tmp.c_str());
    return err;
  }
  return ok();
}

std::string random_hex(size_t n) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n, '0');
  for (auto& c : out) c = kDigits[rng() & 15];
  return out;
}

}  // namespace astacus

namespace astacus {

Status sync_filesystem(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errorf(ErrorCode::kIoError, "cannot open directory '{}': {}", dir.string(), std::strerror(errno));
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    return errorf(ErrorCode::kIoError, "cannot sync the filesystem of '{}': {}", dir.string(), std::strerror(err));
  }
  return ok();
}

}  // namespace astacus

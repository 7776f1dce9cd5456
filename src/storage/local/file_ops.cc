#include "storage/local/file_ops.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace astacus::storage::local {

namespace {

tl::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(err));
}

}  // namespace

Status write_new_file(const std::filesystem::path& path, std::string_view data, bool sync) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return io_error("cannot create", path, errno);
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return io_error("cannot write", path, err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return io_error("cannot fsync", path, err);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return io_error("cannot close", path, err);
  }
  return ok();
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return errorf(ErrorCode::kIoError, "cannot rename '{}' to '{}': {}", from.string(), to.string(),
                  std::strerror(errno));
  }
  return ok();
}

Status unlink_if_exists(const std::filesystem::path& path, bool* removed) {
  if (::unlink(path.c_str()) == 0) {
    if (removed) *removed = true;
    return ok();
  }
  if (errno == ENOENT) return ok();
  return io_error("cannot remove", path, errno);
}

Status sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync directory", dir, err);
  return ok();
}

}  // namespace astacus::storage::local

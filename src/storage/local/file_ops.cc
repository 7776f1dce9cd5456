#include "storage/local/file_ops.h"

#include "base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace astacus::storage::local {

namespace {

tl::unexpected<Error> io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(err));
}

}  // namespace

Result<int> create_new_file(const std::filesystem::path& path) {
  auto open_new = [&] { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666); };
  int fd = open_new();
  if (fd < 0 && errno == ENOENT) {
    ASTACUS_CHECK(ensure_directory(path.parent_path()));
    fd = open_new();
  }
  if (fd < 0) return io_error("cannot create", path, errno);
  return fd;
}

Status write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path, errno);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return ok();
}

Status close_file(int fd, const std::filesystem::path& path, bool sync) {
  if (sync && ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("cannot fsync", path, err);
  }
  if (::close(fd) != 0) return io_error("cannot close", path, errno);
  return ok();
}

Status write_new_file(const std::filesystem::path& path, std::string_view data, bool sync) {
  int fd = ASTACUS_TRY(create_new_file(path));
  Status st = write_all(fd, data, path);
  if (!st) ::close(fd);
  if (st) st = close_file(fd, path, sync);
  if (!st) ::unlink(path.c_str());
  return st;
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  int rc = ::rename(from.c_str(), to.c_str());
  if (rc != 0 && errno == ENOENT) {
    ASTACUS_CHECK(ensure_directory(to.parent_path()));
    rc = ::rename(from.c_str(), to.c_str());
  }
  if (rc != 0) {
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

Status for_each_regular_file(const std::filesystem::path& dir,
                             const std::function<void(std::string_view)>& on_name) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return ok();
    return io_error("cannot list", dir, errno);
  }
  errno = 0;
  while (struct dirent* entry = ::readdir(d)) {
    bool regular = entry->d_type == DT_REG;
    if (entry->d_type == DT_UNKNOWN) {  // file systems without d_type: ask
      struct stat st {};
      regular = ::fstatat(::dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    }
    if (regular) on_name(entry->d_name);
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return io_error("cannot list", dir, err);
  return ok();
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

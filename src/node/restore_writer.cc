#include "node/restore_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "base/files.h"
#include "base/paths.h"

namespace astacus::node {

namespace fs = std::filesystem;

namespace {

mode_t process_umask() {
  static const mode_t mask = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
    }
    return static_cast<mode_t>(022);
  }();
  return mask;
}

tl::unexpected<Error> errno_error(std::string_view what, const fs::path& path) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(errno));
}

timespec to_timespec(int64_t ns) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ts;
}

}  // namespace

Result<fs::path> prepare_target(const fs::path& root, const std::string& rel) {
  fs::path target = ASTACUS_TRY(confine(root, rel));
  fs::path dir = root;
  fs::path parent_rel = fs::path(rel).parent_path();
  for (const auto& part : parent_rel) {
    dir /= part;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0) {
      if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        return errorf(ErrorCode::kInvalidArgument,
                      "refusing to restore '{}': '{}' is not a real directory", rel, dir.string());
      }
      continue;
    }
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return errno_error("cannot create directory", dir);
    }
  }
  return target;
}

Status set_mtime(const fs::path& path, int64_t mtime_ns) {
  timespec times[2] = {to_timespec(mtime_ns), to_timespec(mtime_ns)};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno_error("cannot set mtime of", path);
  }
  return ok();
}

namespace {

/// False with errno set when a write fails.
bool write_all(int fd, std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

/// Sets mode and mtime of the new file `fd` (at `path`) and closes it. On failure the file is
/// removed.
Status finish_new_file(int fd, const fs::path& path, int64_t mtime_ns) {
  auto fail = [&](std::string_view what) {
    auto err = errno_error(what, path);
    ::close(fd);
    ::unlink(path.c_str());
    return err;
  };
  if (::fchmod(fd, 0660 & ~process_umask()) != 0) return fail("cannot chmod");
  timespec times[2] = {to_timespec(mtime_ns), to_timespec(mtime_ns)};
  if (::futimens(fd, times) != 0) return fail("cannot set mtime of");
  if (::close(fd) != 0) {
    ::unlink(path.c_str());
    return errno_error("cannot close", path);
  }
  return ok();
}

/// Writes `data` to the new file `fd` (at `path`), sets mode and mtime, and closes it. On
/// failure the file is removed.
Status fill_new_file(int fd, const fs::path& path, std::string_view data, int64_t mtime_ns) {
  if (!write_all(fd, data)) {
    auto err = errno_error("cannot write", path);
    ::close(fd);
    ::unlink(path.c_str());
    return err;
  }
  return finish_new_file(fd, path, mtime_ns);
}

fs::path temp_beside(const fs::path& target) {
  fs::path tmp = target;
  tmp += "." + random_hex(8) + ".astacus.tmp";
  return tmp;
}

Status rename_into_place(const fs::path& tmp, const fs::path& target) {
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    auto err = errno_error("cannot rename into place", target);
    ::unlink(tmp.c_str());
    return err;
  }
  return ok();
}

}  // namespace

Status write_restored_file(const fs::path& root, const std::string& rel, std::string_view data,
                           int64_t mtime_ns) {
  fs::path target = ASTACUS_TRY(prepare_target(root, rel));
  // A new file is written in place: nothing is replaced, and a file cut short by a failure
  // is removed (or, after a crash, found different and rewritten by the next restore; the op
  // reports success only after every file is written and synced).
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) return fill_new_file(fd, target, data, mtime_ns);
  if (errno != EEXIST) return errno_error("cannot create", target);
  // An existing file (or symlink, or directory) is replaced atomically by a rename.
  fs::path tmp = temp_beside(target);
  fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_error("cannot create", tmp);
  ASTACUS_CHECK(fill_new_file(fd, tmp, data, mtime_ns));
  return rename_into_place(tmp, target);
}

Result<std::unique_ptr<StreamedFile>> StreamedFile::create(const fs::path& root, const std::string& rel) {
  fs::path target = ASTACUS_TRY(prepare_target(root, rel));
  fs::path tmp = temp_beside(target);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_error("cannot create", tmp);
  return std::unique_ptr<StreamedFile>(new StreamedFile(std::move(target), std::move(tmp), fd));
}

StreamedFile::~StreamedFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(tmp_.c_str());
}

Status StreamedFile::write(std::string_view bytes) {
  if (fd_ < 0) return errorf(ErrorCode::kInternal, "write to '{}' after commit", target_.string());
  if (!write_all(fd_, bytes)) return errno_error("cannot write", tmp_);
  writeback_.wrote(fd_, bytes.size());
  return ok();
}

Status StreamedFile::commit(int64_t mtime_ns) {
  if (fd_ < 0) return errorf(ErrorCode::kInternal, "'{}' committed twice", target_.string());
  ASTACUS_CHECK(finish_new_file(std::exchange(fd_, -1), tmp_, mtime_ns));
  return rename_into_place(tmp_, target_);
}

Status copy_restored_file(const fs::path& source, const fs::path& root, const std::string& rel,
                          int64_t mtime_ns) {
  int in = open_for_reading(source, O_NOFOLLOW);
  if (in < 0) return errno_error("cannot open", source);
  auto file = StreamedFile::create(root, rel);
  Status st = file ? ok() : Status(make_error(file.error()));
  std::string buffer(size_t{1} << 20, '\0');
  while (st) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = errno_error("cannot read", source);
    if (n <= 0) break;
    st = (*file)->write(std::string_view(buffer.data(), static_cast<size_t>(n)));
  }
  ::close(in);
  if (st) st = (*file)->commit(mtime_ns);
  return st;
}

}  // namespace astacus::node

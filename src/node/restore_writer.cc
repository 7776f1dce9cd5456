#include "node/restore_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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

/// Writes `data` to the new file `fd` (at `path`), sets mode and mtime, and closes it. On
/// failure the file is removed.
Status fill_new_file(int fd, const fs::path& path, std::string_view data, int64_t mtime_ns) {
  auto fail = [&](std::string_view what) {
    auto err = errno_error(what, path);
    ::close(fd);
    ::unlink(path.c_str());
    return err;
  };
  if (!write_all(fd, data)) return fail("cannot write");
  if (::fchmod(fd, 0660 & ~process_umask()) != 0) return fail("cannot chmod");
  timespec times[2] = {to_timespec(mtime_ns), to_timespec(mtime_ns)};
  if (::futimens(fd, times) != 0) return fail("cannot set mtime of");
  if (::close(fd) != 0) {
    ::unlink(path.c_str());
    return errno_error("cannot close", path);
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
  fs::path tmp = target;
  tmp += "." + random_hex(8) + ".astacus.tmp";
  fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return errno_error("cannot create", tmp);
  ASTACUS_CHECK(fill_new_file(fd, tmp, data, mtime_ns));
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    auto err = errno_error("cannot rename into place", target);
    ::unlink(tmp.c_str());
    return err;
  }
  return ok();
}

}  // namespace astacus::node

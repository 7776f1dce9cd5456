#include "snapshot/link_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/files.h"
#include "base/paths.h"

namespace astacus::snapshot::internal {

namespace fs = std::filesystem;

namespace {

tl::unexpected<Error> io_error(std::string_view what, const fs::path& path) {
  return errorf(ErrorCode::kIoError, "{} '{}': {}", what, path.string(), std::strerror(errno));
}

FileStat to_file_stat(const struct stat& st) {
  return FileStat{static_cast<int64_t>(st.st_size),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                  static_cast<int64_t>(st.st_ino)};
}

// The error of a failed link(2), from errno; EXDEV is a setup mistake worth spelling out.
tl::unexpected<Error> link_error(const fs::path& source, const fs::path& target) {
  int e = errno;
  std::string_view hint =
      e == EXDEV ? " (node.root and node.root_link must be on one filesystem: a snapshot hard-links the files)" : "";
  return errorf(ErrorCode::kIoError, "cannot hard-link '{}' to '{}': {}{}", source.string(), target.string(),
                std::strerror(e), hint);
}

}  // namespace

Result<std::optional<FileStat>> stat_regular(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileStat>();
    return io_error("cannot stat", path);
  }
  if (!S_ISREG(st.st_mode)) return std::optional<FileStat>();
  return std::optional<FileStat>(to_file_stat(st));
}

Result<std::optional<FileStat>> stat_regular_at(int dir_fd, const char* name, const fs::path& root,
                                                std::string_view rel) {
  struct stat st;
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<FileStat>();
    return io_error("cannot stat", root / rel);
  }
  if (!S_ISREG(st.st_mode)) return std::optional<FileStat>();
  return std::optional<FileStat>(to_file_stat(st));
}

Status LinkDir::ensure_dir(const fs::path& rel_dir) {
  if (!root_checked_) {
    ASTACUS_CHECK(ensure_directory(root_));
    root_checked_ = true;
  }
  fs::path prefix;
  for (const auto& part : rel_dir) {
    prefix /= part;
    if (known_dirs_.count(prefix.string())) continue;
    fs::path dir = root_ / prefix;
    if (::mkdir(dir.c_str(), 0777) != 0) {
      if (errno != EEXIST) return io_error("cannot create directory", dir);
      struct stat st;
      if (::lstat(dir.c_str(), &st) != 0) return io_error("cannot stat", dir);
      if (!S_ISDIR(st.st_mode)) {  // a stale link copy or symlink where a directory belongs
        if (::unlink(dir.c_str()) != 0 || ::mkdir(dir.c_str(), 0777) != 0) {
          return io_error("cannot replace with a directory", dir);
        }
      }
    }
    known_dirs_.insert(prefix.string());
  }
  return ok();
}

Result<std::optional<FileStat>> LinkDir::link(const fs::path& source, const std::string& rel) {
  fs::path target = ASTACUS_TRY(confine(root_, rel));
  ASTACUS_CHECK(ensure_dir(fs::path(rel).parent_path()));
  // Usually nothing is at the target yet (a first snapshot): link straight to it.
  if (::link(source.c_str(), target.c_str()) == 0) {
    auto st = stat_regular(target);
    if (!st || !*st) ::unlink(target.c_str());  // a symlink or special file, not ours to copy
    return st;
  }
  if (errno == ENOENT) return std::optional<FileStat>();
  if (errno != EEXIST) return link_error(source, target);
  // Something is in the way (an older copy, a directory): link to a temp name and rename.
  fs::path tmp = target.parent_path() / (".astacus-link-" + random_hex(16) + ".tmp");
  if (::link(source.c_str(), tmp.c_str()) != 0) {
    if (errno == ENOENT) return std::optional<FileStat>();
    return link_error(source, tmp);
  }
  auto st = stat_regular(tmp);
  if (!st || !*st) {  // replaced by a symlink or special file between lstat and link
    ::unlink(tmp.c_str());
    if (!st) return make_error(st.error());
    return std::optional<FileStat>();
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    std::error_code ec;
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) fs::remove_all(target, ec);
    if (ec || ::rename(tmp.c_str(), target.c_str()) != 0) {
      auto err = io_error("cannot rename link copy into place", target);
      ::unlink(tmp.c_str());
      return err;
    }
  }
  // rename() is a no-op when both names already link the same inode: drop the temp name then.
  ::unlink(tmp.c_str());
  return st;
}

Status LinkDir::remove(const std::string& rel) {
  fs::path path = ASTACUS_TRY(confine(root_, rel));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return io_error("cannot remove link copy", path);
  }
  return ok();
}

}  // namespace astacus::snapshot::internal

#include "snapshot/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

namespace astacus::snapshot::internal {

namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

enum class EntryType { kFile, kDir, kOther };

EntryType entry_type(int dir_fd, const dirent& e) {
  switch (e.d_type) {
    case DT_REG: return EntryType::kFile;
    case DT_DIR: return EntryType::kDir;
    case DT_UNKNOWN: break;
    default: return EntryType::kOther;
  }
  struct stat st;
  if (::fstatat(dir_fd, e.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return EntryType::kOther;
  if (S_ISREG(st.st_mode)) return EntryType::kFile;
  if (S_ISDIR(st.st_mode)) return EntryType::kDir;
  return EntryType::kOther;
}

std::string join(const std::string& rel, std::string_view name) {
  return rel.empty() ? std::string(name) : rel + "/" + std::string(name);
}

}  // namespace

Status walk_files(const std::filesystem::path& root, const WalkCallbacks& callbacks) {
  std::vector<std::string> pending{""};  // relative directory paths still to list
  while (!pending.empty()) {
    if (callbacks.cancelled && callbacks.cancelled()) {
      return errorf(ErrorCode::kCancelled, "cancelled while walking '{}'", root.string());
    }
    std::string rel = std::move(pending.back());
    pending.pop_back();
    std::filesystem::path dir = rel.empty() ? root : root / rel;
    // The root itself may be a symlink to a directory; sub-directories are never followed.
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (rel.empty() ? 0 : O_NOFOLLOW);
    int fd = ::open(dir.c_str(), flags);
    DirPtr d(fd >= 0 ? ::fdopendir(fd) : nullptr);
    if (!d) {
      if (fd >= 0) ::close(fd);
      if (rel.empty()) {
        if (errno == ENOENT) return ok();  // a missing root is an empty tree
        return errorf(ErrorCode::kIoError, "cannot list directory '{}': {}", dir.string(),
                      std::strerror(errno));
      }
      if (errno != ENOENT) spdlog::warn("skipping directory '{}': {}", dir.string(), std::strerror(errno));
      continue;
    }
    std::vector<std::string> subdirs;
    while (dirent* e = ::readdir(d.get())) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      switch (entry_type(::dirfd(d.get()), *e)) {
        case EntryType::kFile:
          if (callbacks.on_file) ASTACUS_CHECK(callbacks.on_file(join(rel, name), ::dirfd(d.get()), e->d_name, e->d_ino));
          break;
        case EntryType::kDir: {
          std::string sub = join(rel, name);
          if (!callbacks.enter_dir || callbacks.enter_dir(sub, name)) subdirs.push_back(std::move(sub));
          break;
        }
        case EntryType::kOther: break;
      }
    }
    // Reverse so the stack pops sub-directories in listing order (deterministic per listing).
    pending.insert(pending.end(), std::make_move_iterator(subdirs.rbegin()),
                   std::make_move_iterator(subdirs.rend()));
  }
  return ok();
}

}  // namespace astacus::snapshot::internal

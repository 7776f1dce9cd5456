#pragma once
// Writes restored files under the node root safely: the path goes through confine(), no
// directory on the way may be a symlink (so a manifest cannot redirect writes outside the
// root), content goes to a temp file in the target directory, gets mode 0660 & ~umask and the
// backup's mtime, and is renamed over the target only when complete.
// Files are not fsynced one by one: the download op syncs the whole filesystem once before it
// reports success (a crash before that leaves files a rerun detects by size and hash).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/writeback.h"
#include "codec/stream.h"

namespace astacus::node {

/// Creates the parent directories of root/rel and returns the full target path.
Result<std::filesystem::path> prepare_target(const std::filesystem::path& root,
                                             const std::string& rel);

/// Makes root/rel hold `data` with mtime = mtime_ns: a missing file is created in place, an
/// existing one is replaced atomically (temp file + rename). No fsync (the restore syncs once).
Status write_restored_file(const std::filesystem::path& root, const std::string& rel,
                           std::string_view data, int64_t mtime_ns);

/// A restored file written as its bytes arrive (blobs too big to hold in memory): they go to a
/// temp file beside root/rel; commit() sets mode and mtime and renames it over the target.
/// Dropped uncommitted (a corrupt or failed download), it removes the temp and leaves the
/// target as it was.
class StreamedFile final : public codec::ByteSink {
 public:
  static Result<std::unique_ptr<StreamedFile>> create(const std::filesystem::path& root, const std::string& rel);
  ~StreamedFile() override;
  StreamedFile(const StreamedFile&) = delete;
  StreamedFile& operator=(const StreamedFile&) = delete;

  Status write(std::string_view bytes) override;
  Status commit(int64_t mtime_ns);
  const std::filesystem::path& target() const { return target_; }

 private:
  StreamedFile(std::filesystem::path target, std::filesystem::path tmp, int fd)
      : target_(std::move(target)), tmp_(std::move(tmp)), fd_(fd) {}
  std::filesystem::path target_, tmp_;
  int fd_;
  EarlyWriteback writeback_;  // the restore's one syncfs then waits for less
};

/// Makes root/rel a copy of the (already restored and verified) file `source`, through a temp
/// file and a rename, with mtime = mtime_ns.
Status copy_restored_file(const std::filesystem::path& source, const std::filesystem::path& root,
                          const std::string& rel, int64_t mtime_ns);

/// Sets the mtime (and atime) of an existing file under root.
Status set_mtime(const std::filesystem::path& path, int64_t mtime_ns);

}  // namespace astacus::node

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include "base/files.h"
#include "base/writeback.h"

namespace astacus {
namespace {

// cachestat(2) (Linux 6.5) counts a file's dirty pages. Debian 12's headers predate it.
struct CachestatRange {
  uint64_t off = 0;
  uint64_t len = 0;  // 0: to the end of the file
};
struct Cachestat {
  uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
constexpr long kCachestatSyscall = 451;  // the same number on every architecture

std::optional<uint64_t> dirty_bytes(int fd) {
  CachestatRange range;
  Cachestat stat{};
  if (::syscall(kCachestatSyscall, fd, &range, &stat, 0) != 0) return std::nullopt;
  return stat.nr_dirty * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

class ScratchFile {
 public:
  ScratchFile() : path_(std::filesystem::temp_directory_path() / ("astacus-writeback-" + random_hex(12))) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  }
  ~ScratchFile() {
    if (fd_ >= 0) ::close(fd_);
    std::filesystem::remove(path_);
  }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

constexpr uint64_t kMiB = uint64_t{1} << 20;

// Appends `pieces` MiB, telling `writeback` (when given) after each.
void append_mebibytes(int fd, int pieces, EarlyWriteback* writeback) {
  std::string piece(kMiB, 'w');
  for (int i = 0; i < pieces; ++i) {
    ASSERT_EQ(::write(fd, piece.data(), piece.size()), static_cast<ssize_t>(piece.size()));
    if (writeback) writeback->wrote(fd, piece.size());
  }
}

TEST(EarlyWriteback, StartsWholeStepsOnly) {
  ScratchFile file;
  ASSERT_GE(file.fd(), 0) << file.path();
  EarlyWriteback writeback(4 * kMiB);
  append_mebibytes(file.fd(), 3, &writeback);
  EXPECT_EQ(writeback.started(), 0u);
  append_mebibytes(file.fd(), 1, &writeback);
  EXPECT_EQ(writeback.started(), 4 * kMiB);
  append_mebibytes(file.fd(), 6, &writeback);
  EXPECT_EQ(writeback.started(), 8 * kMiB);
  writeback.wrote(file.fd(), 0);
  EXPECT_EQ(writeback.started(), 8 * kMiB);
  EXPECT_EQ(std::filesystem::file_size(file.path()), 10 * kMiB);
}

TEST(EarlyWriteback, ZeroStepNeverStarts) {
  ScratchFile file;
  EarlyWriteback writeback(0);
  append_mebibytes(file.fd(), 2, &writeback);
  EXPECT_EQ(writeback.started(), 0u);
}

// The point of it: the pages of the started steps leave the dirty state at once, so a later
// fsync or syncfs finds only the tail still to write.
TEST(EarlyWriteback, PagesOfStartedStepsAreNoLongerDirty) {
  ScratchFile plain, hinted;
  ASSERT_GE(plain.fd(), 0);
  ASSERT_GE(hinted.fd(), 0);
  append_mebibytes(plain.fd(), 32, nullptr);
  auto plain_dirty = dirty_bytes(plain.fd());
  if (!plain_dirty) GTEST_SKIP() << "no cachestat(2) on this kernel (" << std::strerror(errno) << ")";
  if (*plain_dirty < 16 * kMiB) {
    GTEST_SKIP() << "this file system or the kernel's flusher already wrote a plain file back ("
                 << *plain_dirty << " bytes dirty of 32 MiB)";
  }
  EarlyWriteback writeback(4 * kMiB);
  append_mebibytes(hinted.fd(), 30, &writeback);
  EXPECT_EQ(writeback.started(), 28 * kMiB);
  auto hinted_dirty = dirty_bytes(hinted.fd());
  ASSERT_TRUE(hinted_dirty);
  EXPECT_LE(*hinted_dirty, 2 * kMiB) << "only the 2 MiB after the last whole step may stay dirty";
}

}  // namespace
}  // namespace astacus

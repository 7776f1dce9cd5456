// Snapshotter::vouched_identity: which files an upload may skip re-hashing, and when it stops.
#include <gtest/gtest.h>

#include <chrono>

#include "base/files.h"
#include "snapshot/tests/snapshotter_fixture.h"

namespace astacus::snapshot {
namespace {

constexpr int64_t kBig = Snapshotter::kVouchMinSize;

int64_t an_hour_ago_ns() { return wall_clock_ns() - int64_t{3600} * 1'000'000'000; }

FileIdentity identity_of(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  auto id = file_identity(fd, path);
  ::close(fd);
  return id.value();
}

const manifest::SnapshotFile& file_named(const std::vector<manifest::SnapshotFile>& files, const std::string& rel) {
  for (const auto& f : files) {
    if (f.relative_path == rel) return f;
  }
  ADD_FAILURE() << rel << " not in the snapshot";
  return files.front();
}

TEST_F(SnapshotterTest, VouchesForSettledFilesItHashedAsTheirLinkCopyIs) {
  write("settled", std::string(kBig, 's'));
  set_mtime_ns("settled", an_hour_ago_ns());
  write("fresh", std::string(kBig, 'f'));  // mtime now: a write in the same tick would not show
  write("small", std::string(kBig - 1, 'm'));
  set_mtime_ns("small", an_hour_ago_ns());
  open();
  auto files = snapshot(all_);
  const auto& settled = file_named(files, "settled");
  auto vouched = snap_->vouched_identity("settled", settled.hexdigest);
  ASSERT_TRUE(vouched.has_value());
  EXPECT_EQ(*vouched, identity_of(links_ / "settled"));
  EXPECT_FALSE(snap_->vouched_identity("settled", file_named(files, "fresh").hexdigest)) << "other content";
  EXPECT_FALSE(snap_->vouched_identity("fresh", file_named(files, "fresh").hexdigest));
  EXPECT_FALSE(snap_->vouched_identity("small", file_named(files, "small").hexdigest));
}

TEST_F(SnapshotterTest, ChangedOrRemovedFilesLoseTheirVouch) {
  write("a", std::string(kBig, 'a'));
  write("b", std::string(kBig, 'b'));
  set_mtime_ns("a", an_hour_ago_ns());
  set_mtime_ns("b", an_hour_ago_ns());
  open();
  auto first = snapshot(all_);
  const std::string old_a = file_named(first, "a").hexdigest;
  ASSERT_TRUE(snap_->vouched_identity("a", old_a));
  ASSERT_TRUE(snap_->vouched_identity("b", file_named(first, "b").hexdigest));

  write("a", std::string(kBig, 'A'));  // changed and settled again: vouched with the new digest
  set_mtime_ns("a", an_hour_ago_ns() + 1000);
  fs::remove(root_ / "b");
  auto second = snapshot(all_);
  EXPECT_FALSE(snap_->vouched_identity("a", old_a));
  EXPECT_TRUE(snap_->vouched_identity("a", file_named(second, "a").hexdigest));
  EXPECT_FALSE(snap_->vouched_identity("b", file_named(first, "b").hexdigest));

  // A fresh process trusts nothing it did not hash itself.
  open();
  EXPECT_FALSE(snap_->vouched_identity("a", file_named(second, "a").hexdigest));
}

TEST_F(SnapshotterTest, AWriteAfterTheSnapshotChangesTheLinkCopysIdentity) {
  write("data", std::string(kBig, 'd'));
  set_mtime_ns("data", an_hour_ago_ns());
  open();
  auto files = snapshot(all_);
  auto vouched = snap_->vouched_identity("data", file_named(files, "data").hexdigest).value();
  {
    // In place, same size, and the old mtime put back: only ctime tells (the link copy is the
    // same inode as the source).
    std::fstream f(root_ / "data", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('X');
  }
  set_mtime_ns("data", vouched.mtime_ns);
  FileIdentity now = identity_of(links_ / "data");
  EXPECT_EQ(now.mtime_ns, vouched.mtime_ns);
  EXPECT_EQ(now.size, vouched.size);
  EXPECT_NE(now, vouched) << "ctime moved, so an upload hashes the file again";
}

}  // namespace
}  // namespace astacus::snapshot

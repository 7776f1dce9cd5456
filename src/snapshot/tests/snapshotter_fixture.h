#pragma once
// Shared by the snapshot tests: a temp root, link directory and DB, and helpers to write files,
// set mtimes and take snapshots.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "snapshot/snapshotter.h"

namespace astacus::snapshot {

namespace fs = std::filesystem;

inline std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class SnapshotterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/astacus-snapshot-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ / "root";
    links_ = dir_ / "links";
    db_ = dir_ / "state" / "snapshot.db";
    fs::create_directories(root_);
  }
  void TearDown() override {
    snap_.reset();
    fs::remove_all(dir_);
  }

  void write(const std::string& rel, std::string_view data, const fs::path& base = {}) {
    fs::path p = (base.empty() ? root_ : base) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  }
  // Sets the mtime explicitly so same-second rewrites are still seen as changes.
  void set_mtime_ns(const std::string& rel, int64_t ns) {
    struct timespec times[2] = {{0, UTIME_OMIT}, {ns / 1'000'000'000, ns % 1'000'000'000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / rel).c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  }
  ino_t inode(const fs::path& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
  }

  Snapshotter& open(int threads = 1, const fs::path& link_root = {}) {
    snap_.reset();
    auto s = Snapshotter::open(root_, link_root.empty() ? links_ : link_root, db_, threads);
    EXPECT_TRUE(s) << s.error().to_string();
    snap_ = std::move(*s);
    return *snap_;
  }
  std::vector<manifest::SnapshotFile> snapshot(const std::vector<SnapshotGroup>& groups) {
    auto files = snap_->snapshot(groups);
    EXPECT_TRUE(files) << files.error().to_string();
    return files ? *files : std::vector<manifest::SnapshotFile>{};
  }
  static std::vector<std::string> paths(const std::vector<manifest::SnapshotFile>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(f.relative_path);
    return out;
  }

  fs::path dir_, root_, links_, db_;
  std::unique_ptr<Snapshotter> snap_;
  const std::vector<SnapshotGroup> all_{{"**"}};
};

}  // namespace astacus::snapshot

// write_restored_file: new files are written in place, existing ones replaced atomically,
// nothing is followed out of the root, and no temp file is left behind.
#include "node/restore_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "base/files.h"

namespace astacus::node {
namespace {

namespace fs = std::filesystem;

class RestoreWriterTest : public ::testing::Test {
 protected:
  RestoreWriterTest() : root_(fs::temp_directory_path() / ("astacus-restore-writer-" + random_hex(8))) {
    fs::create_directories(root_);
  }
  ~RestoreWriterTest() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string read(const std::string& rel) { return read_file(root_ / rel).value(); }
  int64_t mtime_ns(const std::string& rel) {
    struct stat st {};
    EXPECT_EQ(::lstat((root_ / rel).c_str(), &st), 0);
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  }
  size_t entries(const fs::path& dir) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
  }
  fs::path root_;
};

TEST_F(RestoreWriterTest, CreatesNewFilesWithContentAndMtime) {
  ASSERT_TRUE(write_restored_file(root_, "a/b/new.db", "fresh", 1700000000123456789));
  EXPECT_EQ(read("a/b/new.db"), "fresh");
  EXPECT_EQ(mtime_ns("a/b/new.db"), 1700000000123456789);
  EXPECT_EQ(entries(root_ / "a/b"), 1u);
}

TEST_F(RestoreWriterTest, ReplacesExistingFilesAndSymlinksWithoutFollowingThem) {
  ASSERT_TRUE(write_restored_file(root_, "f", "old content, longer", 1));
  ASSERT_TRUE(write_restored_file(root_, "f", "new", 2));
  EXPECT_EQ(read("f"), "new");
  EXPECT_EQ(mtime_ns("f"), 2);
  fs::path outside = root_.string() + "-outside";
  ASSERT_TRUE(write_file_atomic(outside, "must not change"));
  fs::create_symlink(outside, root_ / "link");
  ASSERT_TRUE(write_restored_file(root_, "link", "restored", 3));
  EXPECT_FALSE(fs::is_symlink(root_ / "link"));
  EXPECT_EQ(read("link"), "restored");
  EXPECT_EQ(read_file(outside).value(), "must not change");
  fs::remove(outside);
  EXPECT_EQ(entries(root_), 2u) << "no temp file left";
}

TEST_F(RestoreWriterTest, ADirectoryInTheWayIsAnErrorNamingIt) {
  fs::create_directories(root_ / "d" / "x");
  auto st = write_restored_file(root_, "d", "data", 1);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find((root_ / "d").string()), std::string::npos) << st.error().message;
  EXPECT_TRUE(fs::is_directory(root_ / "d" / "x"));
  EXPECT_EQ(entries(root_), 1u) << "no temp file left";
}

}  // namespace
}  // namespace astacus::node

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "base/encoding.h"
#include "base/files.h"
#include "base/paths.h"
#include "base/time.h"

namespace astacus {
namespace {

TEST(Confine, AcceptsNestedRelativePaths) {
  auto p = confine("/root", "a/b/c.txt");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->string(), "/root/a/b/c.txt");
}

TEST(Confine, RefusesEscapesAndAbsolutePaths) {
  for (const char* bad : {"../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "a/."}) {
    auto p = confine("/root", bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(p.error().message.find(bad), std::string::npos);
  }
}

TEST(Time, FormatsLikePython) {
  auto t = parse_rfc3339("2026-11-24T07:30:26.727313Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2026-11-24T07:30:26.727313Z");
  EXPECT_EQ(format_iso_seconds(*t), "2026-11-24T07:30:26+00:00");
  auto whole = parse_rfc3339("2020-01-01T21:43:00+00:00");
  ASSERT_TRUE(whole);
  EXPECT_EQ(format_rfc3339(*whole), "2020-01-01T21:43:00Z");
  EXPECT_FALSE(parse_rfc3339("yesterday"));
  EXPECT_FALSE(parse_rfc3339("2020-01-01T00:00:00+0a:00"));
}

TEST(Encoding, Base64RoundTrips) {
  EXPECT_EQ(base64_encode("hello\n"), "aGVsbG8K");
  EXPECT_EQ(base64_encode(""), "");
  for (std::string s : {"", "a", "ab", "abc", "abcd"}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(base64_decode("a$=="));
}

TEST(Encoding, HexRoundTrips) {
  EXPECT_EQ(to_hex(std::string("\x00\xff", 2)), "00ff");
  EXPECT_EQ(*from_hex("00ff"), std::string("\x00\xff", 2));
  EXPECT_FALSE(from_hex("0g"));
}

}  // namespace
}  // namespace astacus

namespace astacus {
namespace {

// relatime would update an atime older than the mtime on the first read; a backup must not.
TEST(Files, ReadingLeavesTheAtimeAlone) {
  auto dir = std::filesystem::temp_directory_path() / ("astacus-atime-" + random_hex(8));
  std::filesystem::create_directories(dir);
  auto path = dir / "db-file";
  ASSERT_TRUE(write_file_atomic(path, "database bytes"));
  timespec times[2] = {{1000, 0}, {UTIME_OMIT, 0}};  // atime far before the mtime
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  EXPECT_EQ(read_file(path).value(), "database bytes");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(st.st_atim.tv_sec, 1000) << "the read changed the file's atime";
}

}  // namespace
}  // namespace astacus

#include <gtest/gtest.h>

#include "snapshot/glob.h"

namespace astacus::snapshot {
namespace {

TEST(Glob, SpecExamplesMatch) {
  const std::pair<const char*, const char*> cases[] = {
      {"foo", "foo"},     {"foo", "*"},       {"foo/bar", "*/bar"},  {"foo", "**"},
      {"foo/bar", "**"},  {"foo/bar/baz", "**/*"}, {"foo/bar", "**/*"}, {"foo/bar", "**/**"},
  };
  for (const auto& [path, glob] : cases) EXPECT_TRUE(glob_match(glob, path)) << path << " ~ " << glob;
}

TEST(Glob, SpecExamplesDoNotMatch) {
  const std::pair<const char*, const char*> cases[] = {
      {"foo/bar/baz", "*/*"}, {"foo", "foobar"}, {"foo", "*/foo"},
      {".hidden", "**"},      {"a/.b", "**"},    {"a/.b/c", "**/*"},
  };
  for (const auto& [path, glob] : cases) EXPECT_FALSE(glob_match(glob, path)) << path << " ~ " << glob;
}

TEST(Glob, DotsNeedLiteralDots) {
  EXPECT_TRUE(glob_match(".hidden", ".hidden"));
  EXPECT_TRUE(glob_match("a/.b/c", "a/.b/c"));
  EXPECT_TRUE(glob_match(".*", ".hidden"));
  EXPECT_TRUE(glob_match("**/.b/*", "a/.b/c"));
  EXPECT_FALSE(glob_match("*", ".hidden"));
  EXPECT_FALSE(glob_match("?hidden", ".hidden"));
  EXPECT_FALSE(glob_match("[.]hidden", ".hidden"));
  EXPECT_FALSE(glob_match("[!a]hidden", ".hidden"));
  EXPECT_FALSE(glob_match("*/c", ".b/c"));
  EXPECT_TRUE(glob_match("a*", "a.b"));      // dots elsewhere are ordinary
  EXPECT_TRUE(glob_match("a?b", "a.b"));
  EXPECT_TRUE(glob_match("*.txt", ".txt"));  // wcmatch: the star matches nothing here
}

TEST(Glob, StarsStayInOneComponent) {
  EXPECT_TRUE(glob_match("a*c", "abbc"));
  EXPECT_TRUE(glob_match("a*c", "ac"));
  EXPECT_FALSE(glob_match("a*c", "ab/c"));
  EXPECT_TRUE(glob_match("**/aa*", "folder1/aaa"));
  EXPECT_TRUE(glob_match("**/aa*", "aaa"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(glob_match("a/**/b", "a/.x/b"));
  EXPECT_TRUE(glob_match("a/**", "a/x/y"));
  EXPECT_FALSE(glob_match("a/**", "a"));  // wcmatch: a trailing /** needs one more component
  EXPECT_TRUE(glob_match("a**", "abc"));  // not a whole component: an ordinary star
  EXPECT_FALSE(glob_match("a**", "ab/c"));
  EXPECT_TRUE(glob_match("a*b*c*d", "aXbYbZcWd"));
  EXPECT_FALSE(glob_match("a*b*c*d", "aXbYbZcW"));
}

TEST(Glob, ClassesAndEscapes) {
  EXPECT_TRUE(glob_match("[a-c]x", "bx"));
  EXPECT_FALSE(glob_match("[a-c]x", "dx"));
  EXPECT_TRUE(glob_match("[!a-c]x", "dx"));
  EXPECT_TRUE(glob_match("[^a-c]x", "dx"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[-a]", "-"));
  EXPECT_TRUE(glob_match("[[:digit:]]x", "7x"));
  EXPECT_FALSE(glob_match("[[:digit:]]x", "ax"));
  EXPECT_TRUE(glob_match("a[", "a["));  // unclosed: literal
  EXPECT_TRUE(glob_match("a\\*", "a*"));
  EXPECT_FALSE(glob_match("a\\*", "ab"));
  EXPECT_TRUE(glob_match("FOO", "FOO"));
  EXPECT_FALSE(glob_match("FOO", "foo"));
}

TEST(Glob, OddInputs) {
  EXPECT_FALSE(glob_match("", "foo"));
  EXPECT_FALSE(glob_match("/foo", "foo"));
  EXPECT_FALSE(glob_match("**", ""));
  EXPECT_TRUE(glob_match("a//b", "a/b"));
}

TEST(Groups, IncludedWhenGlobMatchesAndNameNotExcluded) {
  std::vector<SnapshotGroup> groups{{"**", {"x"}, 10}};
  auto m = match_groups(groups, "dir/y");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->included);
  EXPECT_EQ(m->embed_max, 10);
  EXPECT_TRUE(m->embeds(10));
  EXPECT_FALSE(m->embeds(11));
  auto excluded = match_groups(groups, "dir/x");
  ASSERT_TRUE(excluded);
  EXPECT_FALSE(excluded->included);
}

TEST(Groups, NullLimitAlwaysEmbeds) {
  std::vector<SnapshotGroup> groups{{"*", {}, std::nullopt}};
  auto m = match_groups(groups, "big");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->included);
  EXPECT_FALSE(m->embed_max);
  EXPECT_TRUE(m->embeds(int64_t{1} << 40));
}

TEST(Groups, DisagreeingLimitsNameTheFile) {
  std::vector<SnapshotGroup> groups{{"**", {}, 100}, {"sub/*", {}, 5}};
  auto m = match_groups(groups, "sub/file");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(m.error().message.find("sub/file"), std::string::npos);
  // An excluding group does not take part; agreeing groups are fine.
  std::vector<SnapshotGroup> ok_groups{{"**", {}, 100}, {"sub/*", {"file"}, 5}, {"*/file", {}, 100}};
  auto agreed = match_groups(ok_groups, "sub/file");
  ASSERT_TRUE(agreed);
  EXPECT_EQ(agreed->embed_max, 100);
}

TEST(Groups, DefaultLimitIs200) { EXPECT_EQ(SnapshotGroup{"**"}.embedded_file_size_max, 200); }

}  // namespace
}  // namespace astacus::snapshot

#include "storage/local/sidecar.h"

#include <gtest/gtest.h>

namespace astacus::storage::local {
namespace {

TEST(Sidecar, FormatsLikePythonJsonDump) {
  EXPECT_EQ(format_sidecar({{"encryption-key-id", "foo"}, {"compression-algorithm", "zstd"}}, "add5").value(),
            R"({"encryption-key-id": "foo", "compression-algorithm": "zstd", "_hash": "add5"})");
  EXPECT_EQ(format_sidecar({}, "").value(), R"({"_hash": ""})");
}

TEST(Sidecar, EscapesLikeEnsureAscii) {
  // json.dumps({"k": "a\"b\\c\n\t\x01\x7f/é€😀"}) in Python.
  std::string value = "a\"b\\c\n\t\x01\x7f/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  EXPECT_EQ(format_sidecar({{"k", value}}, "h").value(),
            R"({"k": "a\"b\\c\n\t\u0001\u007f/\u00e9\u20ac\ud83d\ude00", "_hash": "h"})");
}

TEST(Sidecar, RefusesInvalidUtf8) {
  EXPECT_EQ(format_sidecar({{"k", "\xff"}}, "h").error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(format_sidecar({{"k", "\xc0\x80"}}, "h"));      // overlong
  EXPECT_FALSE(format_sidecar({{"k", "\xed\xa0\x80"}}, "h"));  // surrogate
  EXPECT_FALSE(format_sidecar({{"k", "\xe2\x82"}}, "h"));      // truncated
}

TEST(Sidecar, ParsesInOrderAndSplitsHash) {
  auto s = parse_sidecar(R"({"b": "1", "a": "2", "_hash": "abc", "n": 5})").value();
  ASSERT_EQ(s.metadata.size(), 3u);
  EXPECT_EQ(s.metadata[0], (std::pair<std::string, std::string>{"b", "1"}));
  EXPECT_EQ(s.metadata[1], (std::pair<std::string, std::string>{"a", "2"}));
  EXPECT_EQ(s.metadata[2], (std::pair<std::string, std::string>{"n", "5"}));
  EXPECT_EQ(s.hash, "abc");
}

TEST(Sidecar, LegacyWithoutHashAndRoundTrip) {
  auto legacy = parse_sidecar(R"({"compression-algorithm": "snappy"})").value();
  EXPECT_EQ(legacy.hash, "");
  EXPECT_EQ(legacy.metadata.size(), 1u);
  Metadata md{{"k\u00e9y", "v\n\"x\""}, {"z", ""}};
  auto back = parse_sidecar(format_sidecar(md, "00ff").value()).value();
  EXPECT_EQ(back.metadata, md);
  EXPECT_EQ(back.hash, "00ff");
}

TEST(Sidecar, GarbageIsCorruption) {
  EXPECT_EQ(parse_sidecar("not json").error().code, ErrorCode::kCorruption);
  EXPECT_EQ(parse_sidecar("[1, 2]").error().code, ErrorCode::kCorruption);
  EXPECT_EQ(parse_sidecar("").error().code, ErrorCode::kCorruption);
}

}  // namespace
}  // namespace astacus::storage::local

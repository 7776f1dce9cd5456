// CompressedText: whatever the pieces it is written in, it reads back byte for byte, holds
// far fewer bytes than the text, and refuses to be read before it is finished.
#include "codec/compressed_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace astacus::codec {
namespace {

/// JSON-like text with hexdigests, as a file list is.
std::string list_like_text(size_t entries) {
  std::mt19937_64 rng(3);
  std::string text = "[";
  for (size_t i = 0; i < entries; ++i) {
    text += fmt::format("{}{{\"relative_path\":\"dir{}/file{}.db\",\"file_size\":{},\"hexdigest\":\"{:016x}{:016x}{:016x}{:016x}\"}}",
                        i ? "," : "", i % 7, i, rng() % 100000, rng(), rng(), rng(), rng());
  }
  return text + "]";
}

std::string read_back(const CompressedText& text) {
  StringSink out;
  Status st = text.write(out);
  EXPECT_TRUE(st) << st.error().message;
  return out.out;
}

TEST(CompressedText, ReadsBackWhatWasWrittenInAnyPieces) {
  const std::string text = list_like_text(60000);  // ~8 MiB: several batches and chunks
  std::mt19937 rng(5);
  CompressedText kept;
  for (size_t at = 0; at < text.size();) {
    size_t n = 1 + rng() % 20000;
    ASSERT_TRUE(kept.append(std::string_view(text).substr(at, n)));
    at += n;
  }
  ASSERT_TRUE(kept.finish());
  EXPECT_EQ(kept.text_size(), text.size());
  EXPECT_TRUE(read_back(kept) == text);
  EXPECT_TRUE(read_back(kept) == text) << "it can be read again";
  EXPECT_LT(kept.compressed_bytes(), text.size() * 2 / 3);
  EXPECT_LT(kept.allocated_bytes(), kept.compressed_bytes() + (size_t{1} << 20));
}

TEST(CompressedText, AnEmptyTextReadsBackEmpty) {
  CompressedText kept;
  ASSERT_TRUE(kept.finish());
  EXPECT_EQ(read_back(kept), "");
}

TEST(CompressedText, IsReadOnlyOnceFinished) {
  CompressedText kept;
  ASSERT_TRUE(kept.append("[1]"));
  StringSink out;
  EXPECT_FALSE(kept.write(out));
  ASSERT_TRUE(kept.finish());
  EXPECT_FALSE(kept.append("x"));
  EXPECT_EQ(read_back(kept), "[1]");
}

}  // namespace
}  // namespace astacus::codec

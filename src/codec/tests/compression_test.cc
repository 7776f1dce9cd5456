#include "codec/compression.h"

#include <gtest/gtest.h>

#include "codec/crc32c.h"
#include "codec/snappy_framing.h"
#include "codec/tests/spec_vectors.h"
#include "codec/tests/test_util.h"

namespace astacus::codec {
namespace {

using testing::compressible_bytes;
using testing::random_bytes;
using testing::unhex;

constexpr Compression kAll[] = {Compression::kZstd, Compression::kSnappy, Compression::kLzma};
constexpr size_t kSizes[] = {0, 1, 200, 201, 65535, 65536, 65537, 1 << 20};

TEST(Compression, ParseAndName) {
  for (auto c : kAll) EXPECT_EQ(parse_compression(compression_name(c)).value(), c);
  auto bad = parse_compression("gzip");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("'gzip'"), std::string::npos);
  EXPECT_NE(bad.error().message.find("zstd, snappy, lzma"), std::string::npos);
  EXPECT_FALSE(parse_compression("ZSTD"));
  EXPECT_FALSE(parse_compression(""));
}

class RoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(RoundTrip, RandomAndCompressibleOfEverySize) {
  for (size_t n : kSizes) {
    for (const std::string& data : {random_bytes(n, static_cast<uint32_t>(n)), compressible_bytes(n)}) {
      auto packed = compress(GetParam(), 0, data);
      ASSERT_TRUE(packed) << packed.error().to_string();
      auto unpacked = decompress(GetParam(), *packed);
      ASSERT_TRUE(unpacked) << n << ": " << unpacked.error().to_string();
      EXPECT_EQ(*unpacked, data) << compression_name(GetParam()) << " size " << n;
    }
  }
}

TEST_P(RoundTrip, CompressibleDataShrinks) {
  std::string data = compressible_bytes(1 << 20);
  EXPECT_LT(compress(GetParam(), 0, data)->size(), data.size() / 4);
}

TEST_P(RoundTrip, NonDefaultLevel) {
  std::string data = compressible_bytes(100000);
  auto packed = compress(GetParam(), 6, data);
  ASSERT_TRUE(packed);
  EXPECT_EQ(decompress(GetParam(), *packed).value(), data);
}

TEST_P(RoundTrip, TruncatedIsCorruption) {
  std::string packed = compress(GetParam(), 0, random_bytes(100000)).value();
  for (size_t cut : {packed.size() - 1, packed.size() / 2, size_t{5}}) {
    auto r = decompress(GetParam(), std::string_view(packed).substr(0, cut));
    ASSERT_FALSE(r) << compression_name(GetParam()) << " cut at " << cut;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption) << r.error().to_string();
  }
}

TEST_P(RoundTrip, GarbageIsCorruption) {
  auto r = decompress(GetParam(), "this is not compressed data at all");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
}

TEST_P(RoundTrip, EmptyInputDecodesToEmpty) { EXPECT_EQ(decompress(GetParam(), "").value(), ""); }

INSTANTIATE_TEST_SUITE_P(AllCodecs, RoundTrip, ::testing::ValuesIn(kAll),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

// Our frames state their size and decode in one call; concatenated frames (and frames
// without a size, as streaming writers make them) take the streaming path. Both, and the
// contexts reused between calls on one thread, must give the same bytes.
TEST(Zstd, ConcatenatedFramesAndReusedContextsDecode) {
  std::string a = compressible_bytes(300000), b = random_bytes(70000, 7);
  std::string both = compress(Compression::kZstd, 3, a).value() + compress(Compression::kZstd, 3, b).value();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(decompress(Compression::kZstd, both).value(), a + b);
    EXPECT_EQ(decompress(Compression::kZstd, compress(Compression::kZstd, 3, b).value()).value(), b);
    EXPECT_FALSE(decompress(Compression::kZstd, both.substr(0, both.size() - 5)));
  }
}

TEST(SpecVectors, NoencVectorsDecompressToP) {
  int checked = 0;
  for (const auto& v : testing::kSpecVectors) {
    if (v.encrypted) continue;
    auto alg = parse_compression(v.algorithm).value();
    EXPECT_EQ(decompress(alg, unhex(v.stored_hex)).value(), testing::kPlaintext) << v.name;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(SpecVectors, SnappyAndLzmaOutputIsByteIdenticalToRohmu) {
  EXPECT_EQ(to_hex(compress(Compression::kSnappy, 0, testing::kPlaintext).value()),
            testing::kSpecVectors[5].stored_hex);
  EXPECT_EQ(to_hex(compress(Compression::kLzma, 0, testing::kPlaintext).value()),
            testing::kSpecVectors[6].stored_hex);
}

TEST(SpecVectors, EmptyInputEncodings) {
  EXPECT_EQ(decompress(Compression::kZstd, unhex("28b52ffd2000010000")).value(), "");
  EXPECT_EQ(compress(Compression::kSnappy, 0, "").value(), "");
  std::string xz_empty = compress(Compression::kLzma, 0, "").value();
  EXPECT_EQ(xz_empty.size(), 32u);
  EXPECT_EQ(decompress(Compression::kLzma, xz_empty).value(), "");
}

TEST(Zstd, ConcatenatedFramesDecode) {
  std::string a = compress(Compression::kZstd, 0, "first frame ").value();
  std::string b = compress(Compression::kZstd, 19, compressible_bytes(300000)).value();
  EXPECT_EQ(decompress(Compression::kZstd, a + b).value(), "first frame " + compressible_bytes(300000));
}

TEST(Zstd, WritesOneStandardFrame) {
  std::string packed = compress(Compression::kZstd, 0, "hello").value();
  EXPECT_EQ(packed.substr(0, 4), unhex("28b52ffd"));
}

TEST(Lzma, WritesXzWithCrc64AndReadsConcatenatedStreams) {
  std::string a = compress(Compression::kLzma, 0, "one ").value();
  std::string b = compress(Compression::kLzma, 0, "two").value();
  EXPECT_EQ(a.substr(0, 8), unhex("fd377a585a000004"));  // xz magic, stream flags 00 04 = CRC64
  EXPECT_EQ(decompress(Compression::kLzma, a + b).value(), "one two");
}

TEST(Lzma, RejectsBadPreset) {
  EXPECT_EQ(compress(Compression::kLzma, 10, "x").error().code, ErrorCode::kInvalidArgument);
}

TEST(Crc32c, KnownValues) {
  EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  // The snappy-noenc vector's chunk checksum (bytes e7 3c 9a ab, little-endian).
  EXPECT_EQ(snappy_masked_crc32c(testing::kPlaintext), 0xab9a3ce7u);
}

std::string identifier() { return unhex("ff060000734e61507059"); }

TEST(SnappyFraming, IdentifierOnlyAndRepeatedIdentifiers) {
  EXPECT_EQ(snappy_frame_decompress(identifier()).value(), "");
  std::string one = compress(Compression::kSnappy, 0, "abc").value();
  std::string two = compress(Compression::kSnappy, 0, "def").value();
  EXPECT_EQ(snappy_frame_decompress(one + two).value(), "abcdef");
}

TEST(SnappyFraming, SkipsSkippableChunksAndRejectsReserved) {
  std::string body = compress(Compression::kSnappy, 0, "abc").value().substr(10);
  std::string skippable = unhex("fe030000") + "pad" + unhex("80000000");
  EXPECT_EQ(snappy_frame_decompress(identifier() + skippable + body).value(), "abc");
  for (std::string_view type : {"02", "7f"}) {
    auto r = snappy_frame_decompress(identifier() + unhex(type) + unhex("000000") + body);
    ASSERT_FALSE(r) << type;
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  }
}

TEST(SnappyFraming, BadCrcAndMissingIdentifierAreCorruption) {
  std::string packed = compress(Compression::kSnappy, 0, "some data").value();
  std::string bad_crc = packed;
  bad_crc[14] ^= 1;
  EXPECT_EQ(snappy_frame_decompress(bad_crc).error().code, ErrorCode::kCorruption);
  EXPECT_EQ(snappy_frame_decompress(packed.substr(10)).error().code, ErrorCode::kCorruption);
}

TEST(SnappyFraming, ChunkTypesAndSizes) {
  // Incompressible data goes into stored (0x01) chunks, compressible into 0x00 chunks.
  std::string random = compress(Compression::kSnappy, 0, random_bytes(1000)).value();
  EXPECT_EQ(static_cast<uint8_t>(random[10]), 0x01);
  std::string text = compress(Compression::kSnappy, 0, compressible_bytes(1000)).value();
  EXPECT_EQ(static_cast<uint8_t>(text[10]), 0x00);
  // 64 KiB + 1 of random data: two chunks of 65536 and 1 byte.
  std::string two = compress(Compression::kSnappy, 0, random_bytes(65537)).value();
  EXPECT_EQ(two.size(), 10u + (4 + 4 + 65536) + (4 + 4 + 1));
}

}  // namespace
}  // namespace astacus::codec

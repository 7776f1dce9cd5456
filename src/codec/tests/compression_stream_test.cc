// Streaming compression (compression_stream.h) against the whole-buffer functions of
// compression.h: the same bytes for every input size and every split of the input, sink pieces of
// at most 1 MiB, the same acceptances and rejections, the pledged size, and the call order.
#include "codec/compression_stream.h"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codec/compression.h"
#include "codec/tests/test_util.h"

namespace astacus::codec {
namespace {

using testing::compressible_bytes;
using testing::random_bytes;
using testing::unhex;

constexpr Compression kAll[] = {Compression::kZstd, Compression::kSnappy, Compression::kLzma};
constexpr size_t kMiB = 1 << 20;
constexpr size_t kSizes[] = {0, 1, 65535, 65536, 65537, 3 * kMiB + 7};

// Keeps what a transform writes, the largest single write and the number of writes.
class RecordingSink final : public ByteSink {
 public:
  Status write(std::string_view bytes) override {
    out.append(bytes);
    max_piece = std::max(max_piece, bytes.size());
    ++writes;
    return ok();
  }
  std::string out;
  size_t max_piece = 0;
  size_t writes = 0;
};

enum class Chunking { kWhole, kOneByte, kSevenBytes, kRandom };

std::string chunking_name(Chunking chunking) {
  switch (chunking) {
    case Chunking::kWhole:
      return "whole";
    case Chunking::kOneByte:
      return "1-byte";
    case Chunking::kSevenBytes:
      return "7-byte";
    case Chunking::kRandom:
      return "random";
  }
  return "?";
}

// 1-byte pieces only for the small sizes: millions of calls would only slow the test down.
std::vector<Chunking> chunkings_for(size_t size) {
  if (size <= 65537) return {Chunking::kWhole, Chunking::kOneByte, Chunking::kSevenBytes, Chunking::kRandom};
  return {Chunking::kWhole, Chunking::kSevenBytes, Chunking::kRandom};
}

// The sizes of the update() calls that feed `total` bytes; kRandom draws 1..200000 from a fixed seed.
std::vector<size_t> piece_sizes(Chunking chunking, size_t total) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<size_t> random_size(1, 200000);
  std::vector<size_t> sizes;
  for (size_t fed = 0; fed < total;) {
    size_t n = total;
    if (chunking == Chunking::kOneByte) n = 1;
    if (chunking == Chunking::kSevenBytes) n = 7;
    if (chunking == Chunking::kRandom) n = random_size(rng);
    n = std::min(n, total - fed);
    sizes.push_back(n);
    fed += n;
  }
  return sizes;
}

// Runs `input` through the transform in pieces of `chunking` (plus an empty update() before and
// after, which must change nothing), then finishes it.
Result<RecordingSink> feed(Result<std::unique_ptr<StreamTransform>> made, std::string_view input, Chunking chunking) {
  std::unique_ptr<StreamTransform> transform = ASTACUS_TRY(std::move(made));
  RecordingSink sink;
  ASTACUS_CHECK(transform->update({}, sink));
  size_t pos = 0;
  for (size_t n : piece_sizes(chunking, input.size())) {
    ASTACUS_CHECK(transform->update(input.substr(pos, n), sink));
    pos += n;
  }
  ASTACUS_CHECK(transform->update({}, sink));
  ASTACUS_CHECK(transform->finish(sink));
  return sink;
}

Result<RecordingSink> stream_compress(Compression c, std::string_view data, Chunking chunking,
                                      std::optional<uint64_t> pledged_size = std::nullopt) {
  return feed(make_compressor(c, 0, pledged_size), data, chunking);
}

Result<RecordingSink> stream_decompress(Compression c, std::string_view packed, Chunking chunking) {
  return feed(make_decompressor(c), packed, chunking);
}

// Compares without printing megabytes of bytes on failure.
::testing::AssertionResult same_bytes(std::string_view actual, std::string_view expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  auto [a, e] = std::mismatch(actual.begin(), actual.end(), expected.begin(), expected.end());
  return ::testing::AssertionFailure() << "got " << actual.size() << " bytes, expected " << expected.size()
                                       << ", first difference at offset " << (a - actual.begin());
}

std::string error_text(const Status& status) { return status ? "ok" : status.error().to_string(); }

template <typename T>
std::string error_text(const Result<T>& result) {
  return result ? "ok" : result.error().to_string();
}

class StreamCodec : public ::testing::TestWithParam<Compression> {};

// The central property: for every size, kind of data and split, the streamed output decodes
// with decompress(), compress() output decodes streamed, and stream → stream round trips. Snappy
// and xz streams are byte-identical to the whole-buffer output (zstd is not: without a pledged
// size its frame does not state the content size).
TEST_P(StreamCodec, MatchesWholeBufferFunctionsForEverySizeAndSplit) {
  const Compression c = GetParam();
  for (size_t size : kSizes) {
    for (bool compressible : {false, true}) {
      const std::string data =
          compressible ? compressible_bytes(size) : random_bytes(size, static_cast<uint32_t>(size));
      const std::string whole = compress(c, 0, data).value();
      for (Chunking chunking : chunkings_for(size)) {
        SCOPED_TRACE(::testing::Message() << compression_name(c) << " size " << size
                                          << (compressible ? " compressible" : " random") << ", "
                                          << chunking_name(chunking) << " pieces");
        auto streamed = stream_compress(c, data, chunking);
        ASSERT_TRUE(streamed) << error_text(streamed);
        auto decoded_whole = decompress(c, streamed->out);
        ASSERT_TRUE(decoded_whole) << error_text(decoded_whole);
        EXPECT_TRUE(same_bytes(*decoded_whole, data)) << "stream compress → decompress()";

        auto decoded_stream = stream_decompress(c, whole, chunking);
        ASSERT_TRUE(decoded_stream) << error_text(decoded_stream);
        EXPECT_TRUE(same_bytes(decoded_stream->out, data)) << "compress() → stream decompress";

        auto round_trip = stream_decompress(c, streamed->out, chunking);
        ASSERT_TRUE(round_trip) << error_text(round_trip);
        EXPECT_TRUE(same_bytes(round_trip->out, data)) << "stream → stream";

        if (c != Compression::kZstd) {
          EXPECT_TRUE(same_bytes(streamed->out, whole)) << "byte-identical to compress()";
        }
        EXPECT_LE(streamed->max_piece, kMiB);
        EXPECT_LE(decoded_stream->max_piece, kMiB);
      }
    }
  }
}

// A prefix of a valid stream is valid so far, so every update() succeeds; finish() must then
// report the truncation with the message decompress() gives for the same bytes.
TEST_P(StreamCodec, TruncatedInputFailsAtFinishWithTheWholeBufferMessage) {
  const Compression c = GetParam();
  const std::string packed = compress(c, 0, random_bytes(100000) + compressible_bytes(100000)).value();
  // 12 cuts the first snappy chunk header (a cut at 10 would leave a valid identifier-only stream).
  for (size_t cut : {size_t{1}, size_t{5}, size_t{12}, packed.size() / 2, packed.size() - 1}) {
    const std::string_view prefix = std::string_view(packed).substr(0, cut);
    const auto expected = decompress(c, prefix);
    ASSERT_FALSE(expected) << "cut " << cut;
    for (Chunking chunking : {Chunking::kWhole, Chunking::kSevenBytes}) {
      SCOPED_TRACE(::testing::Message() << compression_name(c) << " cut at " << cut << ", "
                                        << chunking_name(chunking) << " pieces");
      auto decoder = make_decompressor(c).value();
      RecordingSink sink;
      size_t pos = 0;
      for (size_t n : piece_sizes(chunking, prefix.size())) {
        ASSERT_TRUE(decoder->update(prefix.substr(pos, n), sink));
        pos += n;
      }
      auto finished = decoder->finish(sink);
      ASSERT_FALSE(finished);
      EXPECT_EQ(finished.error().code, ErrorCode::kCorruption);
      EXPECT_EQ(finished.error().message, expected.error().message);
    }
  }
}

// Every single-bit flip of a stored stream: the stream decoder accepts it exactly when
// decompress() does (then with the same output) and rejects it as Corruption otherwise. Some
// flips no decoder can notice: zstd frames here carry no content checksum, and a snappy data
// chunk whose type byte 0x00/0x01 becomes 0x80/0x81 turns into a skippable chunk.
TEST_P(StreamCodec, BitFlipsAreAcceptedAndRejectedLikeDecompress) {
  const Compression c = GetParam();
  const std::string packed = compress(c, 0, compressible_bytes(3000) + random_bytes(1000)).value();
  std::vector<size_t> accepted_bits;
  for (size_t bit = 0; bit < packed.size() * 8; ++bit) {
    std::string flipped = packed;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    const auto whole = decompress(c, flipped);
    const auto streamed = stream_decompress(c, flipped, Chunking::kSevenBytes);
    ASSERT_EQ(whole.has_value(), streamed.has_value())
        << compression_name(c) << " bit " << bit << ": whole " << error_text(whole) << ", stream "
        << error_text(streamed);
    if (whole) {
      EXPECT_TRUE(same_bytes(streamed->out, *whole)) << "bit " << bit;
      accepted_bits.push_back(bit);
    } else {
      EXPECT_EQ(streamed.error().code, ErrorCode::kCorruption) << "bit " << bit << ": " << error_text(streamed);
    }
  }
  switch (c) {
    case Compression::kLzma:  // CRC32 (headers, index) and CRC64 (data) cover every byte
      EXPECT_EQ(accepted_bits, std::vector<size_t>{});
      break;
    case Compression::kSnappy:  // one data chunk, its type byte at offset 10
      EXPECT_EQ(accepted_bits, std::vector<size_t>{10 * 8 + 7});
      break;
    case Compression::kZstd:  // at least the magic number is checked
      ASSERT_FALSE(accepted_bits.empty());
      EXPECT_GE(accepted_bits.front(), 32u);
      break;
  }
}

TEST_P(StreamCodec, SinkPiecesStayWithinOneMiBForATenMiBZeroRun) {
  const Compression c = GetParam();
  const std::string zeros(10 * kMiB, '\0');
  auto packed = stream_compress(c, zeros, Chunking::kWhole);
  ASSERT_TRUE(packed) << error_text(packed);
  EXPECT_LE(packed->max_piece, kMiB);
  auto unpacked = stream_decompress(c, compress(c, 0, zeros).value(), Chunking::kWhole);
  ASSERT_TRUE(unpacked) << error_text(unpacked);
  EXPECT_TRUE(same_bytes(unpacked->out, zeros));
  EXPECT_LE(unpacked->max_piece, kMiB);
  EXPECT_GE(unpacked->writes, 10u);
}

// Incompressible input: the compressed stream is as large as the input (snappy stores it raw).
TEST_P(StreamCodec, SinkPiecesStayWithinOneMiBForLargeIncompressibleInput) {
  const Compression c = GetParam();
  const std::string data = random_bytes(4 * kMiB, 99);
  auto packed = stream_compress(c, data, Chunking::kWhole);
  ASSERT_TRUE(packed) << error_text(packed);
  EXPECT_GE(packed->out.size(), data.size());
  EXPECT_LE(packed->max_piece, kMiB);
  auto unpacked = stream_decompress(c, packed->out, Chunking::kWhole);
  ASSERT_TRUE(unpacked) << error_text(unpacked);
  EXPECT_TRUE(same_bytes(unpacked->out, data));
  EXPECT_LE(unpacked->max_piece, kMiB);
}

TEST_P(StreamCodec, PledgedSizeIsHeldToByEveryCodec) {
  const Compression c = GetParam();
  RecordingSink sink;
  auto over = make_compressor(c, 0, 10).value();
  ASSERT_TRUE(over->update("123456", sink));
  auto past = over->update("78901", sink);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, ErrorCode::kInvalidArgument) << error_text(past);
  EXPECT_EQ(over->finish(sink).error().code, ErrorCode::kInternal) << "the stream is dead after an error";

  auto under = make_compressor(c, 0, 10).value();
  ASSERT_TRUE(under->update("123456789", sink));
  auto short_finish = under->finish(sink);
  ASSERT_FALSE(short_finish);
  EXPECT_EQ(short_finish.error().code, ErrorCode::kInvalidArgument) << error_text(short_finish);

  auto exact = stream_compress(c, "0123456789", Chunking::kOneByte, 10);
  ASSERT_TRUE(exact) << error_text(exact);
  EXPECT_EQ(decompress(c, exact->out).value(), "0123456789");
}

TEST_P(StreamCodec, CallsAfterFinishAreInternalErrors) {
  const Compression c = GetParam();
  std::vector<std::unique_ptr<StreamTransform>> transforms;
  transforms.push_back(make_compressor(c, 0).value());
  transforms.push_back(make_decompressor(c).value());
  for (auto& transform : transforms) {
    RecordingSink sink;
    ASSERT_TRUE(transform->finish(sink));
    EXPECT_EQ(transform->update("x", sink).error().code, ErrorCode::kInternal);
    EXPECT_EQ(transform->finish(sink).error().code, ErrorCode::kInternal);
  }
}

TEST_P(StreamCodec, EmptyInputDecodesToEmpty) {
  auto decoded = stream_decompress(GetParam(), "", Chunking::kWhole);
  ASSERT_TRUE(decoded) << error_text(decoded);
  EXPECT_EQ(decoded->out, "");
  EXPECT_EQ(decoded->writes, 0u);
}

TEST_P(StreamCodec, GarbageIsCorruption) {
  auto decoded = stream_decompress(GetParam(), "this is not compressed data at all", Chunking::kSevenBytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, ErrorCode::kCorruption);
}

TEST_P(StreamCodec, SinkErrorsStopTheTransform) {
  class FailingSink final : public ByteSink {
   public:
    Status write(std::string_view) override { return errorf(ErrorCode::kIoError, "disk full"); }
  };
  const Compression c = GetParam();
  FailingSink sink;
  auto compressor = make_compressor(c, 0).value();
  const std::string data = random_bytes(300000);
  Status status = compressor->update(data, sink);
  if (status) status = compressor->finish(sink);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kIoError);
  EXPECT_EQ(compressor->finish(sink).error().code, ErrorCode::kInternal);
}

TEST_P(StreamCodec, NonDefaultLevelMatchesCompress) {
  const Compression c = GetParam();
  const std::string data = compressible_bytes(200000);
  auto streamed = feed(make_compressor(c, 6), data, Chunking::kRandom);
  ASSERT_TRUE(streamed) << error_text(streamed);
  EXPECT_EQ(decompress(c, streamed->out).value(), data);
  if (c != Compression::kZstd) {
    EXPECT_TRUE(same_bytes(streamed->out, compress(c, 6, data).value()));
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, StreamCodec, ::testing::ValuesIn(kAll),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

// Decodes `input` streamed (7-byte pieces) and whole; both must give the same bytes or the same
// error (code and message).
void expect_decoders_agree(Compression c, std::string_view input, std::string_view what) {
  SCOPED_TRACE(::testing::Message() << compression_name(c) << ": " << what);
  const auto whole = decompress(c, input);
  const auto streamed = stream_decompress(c, input, Chunking::kSevenBytes);
  ASSERT_EQ(whole.has_value(), streamed.has_value()) << error_text(whole) << " vs " << error_text(streamed);
  if (whole) {
    EXPECT_TRUE(same_bytes(streamed->out, *whole));
  } else {
    EXPECT_EQ(streamed.error().code, whole.error().code);
    EXPECT_EQ(streamed.error().message, whole.error().message);
  }
}

std::string snappy_identifier() { return unhex("ff060000734e61507059"); }

TEST(SnappyStream, AcceptsAndRejectsWhatTheWholeBufferDecoderDoes) {
  const auto c = Compression::kSnappy;
  const std::string abc = compress(c, 0, "abc").value();
  const std::string abc_chunk = abc.substr(10);
  const std::string skippable = unhex("fe030000") + "pad" + unhex("80000000");
  expect_decoders_agree(c, snappy_identifier(), "identifier only");
  expect_decoders_agree(c, abc + compress(c, 0, "def").value(), "repeated identifiers");
  expect_decoders_agree(c, snappy_identifier() + skippable + abc_chunk + skippable, "skippable chunks");
  expect_decoders_agree(c, snappy_identifier() + unhex("02000000") + abc_chunk, "reserved type 0x02");
  expect_decoders_agree(c, snappy_identifier() + unhex("7f000000") + abc_chunk, "reserved type 0x7f");
  expect_decoders_agree(c, abc_chunk, "missing identifier");
  expect_decoders_agree(c, unhex("ff060000734e61507058"), "bad identifier");
  expect_decoders_agree(c, unhex("ff070000734e615070595a"), "identifier of the wrong length");
  expect_decoders_agree(c, snappy_identifier() + unhex("01030000") + "abc", "chunk shorter than its CRC");
  std::string bad_crc = abc;
  bad_crc[14] ^= 1;
  expect_decoders_agree(c, bad_crc, "bad CRC");

  auto reserved = stream_decompress(c, snappy_identifier() + unhex("02000000"), Chunking::kWhole);
  ASSERT_FALSE(reserved);
  EXPECT_NE(reserved.error().message.find("reserved unskippable chunk type 0x02"), std::string::npos);
  auto crc = stream_decompress(c, bad_crc, Chunking::kOneByte);
  ASSERT_FALSE(crc);
  EXPECT_NE(crc.error().message.find("CRC mismatch"), std::string::npos);
}

// A stored chunk longer than 64 KiB is refused from its header, before its body arrives, so the
// decoder never buffers it.
TEST(SnappyStream, OversizedStoredChunkIsRejectedFromItsHeader) {
  auto decoder = make_decompressor(Compression::kSnappy).value();
  RecordingSink sink;
  ASSERT_TRUE(decoder->update(snappy_identifier(), sink));
  auto header = decoder->update(unhex("01050001"), sink);  // body of 0x010005 bytes = 65541 > 4 + 65536
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kCorruption);
  EXPECT_NE(header.error().message.find("oversized chunk at offset 10"), std::string::npos);
}

TEST(SnappyStream, EmptyInputEncodesToNothing) {
  auto packed = stream_compress(Compression::kSnappy, "", Chunking::kWhole);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->out, "");
  EXPECT_EQ(packed->writes, 0u);
}

// Pledged: the header states the size, which is what lets zstd_decompress() decode the frame in
// one call into a buffer of that size.
TEST(ZstdStream, PledgedSizeIsStatedInTheFrameHeader) {
  for (size_t size : kSizes) {
    const std::string data = compressible_bytes(size);
    for (Chunking chunking : {Chunking::kSevenBytes, Chunking::kRandom}) {
      SCOPED_TRACE(::testing::Message() << "size " << size << ", " << chunking_name(chunking) << " pieces");
      auto packed = stream_compress(Compression::kZstd, data, chunking, size);
      ASSERT_TRUE(packed) << error_text(packed);
      EXPECT_EQ(ZSTD_getFrameContentSize(packed->out.data(), packed->out.size()), size);
      EXPECT_EQ(ZSTD_findFrameCompressedSize(packed->out.data(), packed->out.size()), packed->out.size());
      EXPECT_TRUE(same_bytes(decompress(Compression::kZstd, packed->out).value(), data));
    }
  }
}

TEST(ZstdStream, DecodesConcatenatedAndSkippableFramesLikeDecompress) {
  const auto c = Compression::kZstd;
  const std::string a = compress(c, 3, compressible_bytes(300000)).value();
  const std::string b = stream_compress(c, random_bytes(70000, 7), Chunking::kRandom).value().out;
  const std::string skippable = unhex("502a4d1804000000") + "skip";  // magic 0x184D2A50, 4 bytes
  expect_decoders_agree(c, a + b, "two frames");
  expect_decoders_agree(c, a + skippable + b, "a skippable frame between two frames");
  expect_decoders_agree(c, unhex("28b52ffd2000010000"), "empty frame");
  auto both = stream_decompress(c, a + b, Chunking::kRandom);
  ASSERT_TRUE(both);
  EXPECT_TRUE(same_bytes(both->out, compressible_bytes(300000) + random_bytes(70000, 7)));
}

// A legacy .lzma ("LZMA_Alone") stream, which decompress() auto-detects.
std::string lzma_alone(std::string_view data) {
  lzma_options_lzma options;
  EXPECT_FALSE(lzma_lzma_preset(&options, 0));
  lzma_stream strm = LZMA_STREAM_INIT;
  EXPECT_EQ(lzma_alone_encoder(&strm, &options), LZMA_OK);
  std::string out(data.size() + 1024, '\0');
  strm.next_in = reinterpret_cast<const uint8_t*>(data.data());
  strm.avail_in = data.size();
  strm.next_out = reinterpret_cast<uint8_t*>(out.data());
  strm.avail_out = out.size();
  EXPECT_EQ(lzma_code(&strm, LZMA_FINISH), LZMA_STREAM_END);
  out.resize(out.size() - strm.avail_out);
  lzma_end(&strm);
  return out;
}

TEST(XzStream, DecodesConcatenatedStreamsPaddingAndLegacyLzmaLikeDecompress) {
  const auto c = Compression::kLzma;
  const std::string one = compress(c, 0, "one ").value();
  const std::string two = stream_compress(c, compressible_bytes(100000), Chunking::kRandom).value().out;
  const std::string legacy = lzma_alone(compressible_bytes(50000));
  expect_decoders_agree(c, one + two, "two streams");
  expect_decoders_agree(c, one + std::string(4, '\0') + two, "stream padding between streams");
  expect_decoders_agree(c, one + std::string(3, '\0') + two, "padding not a multiple of 4");
  expect_decoders_agree(c, legacy, "legacy .lzma");
  expect_decoders_agree(c, legacy + "x", "legacy .lzma with trailing garbage");
  auto decoded = stream_decompress(c, legacy, Chunking::kOneByte);
  ASSERT_TRUE(decoded) << error_text(decoded);
  EXPECT_TRUE(same_bytes(decoded->out, compressible_bytes(50000)));
}

TEST(XzStream, RejectsBadPresetLikeCompress) {
  for (int preset : {-1, 10}) {
    auto made = make_compressor(Compression::kLzma, preset);
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(made.error().message, compress(Compression::kLzma, preset, "x").error().message);
  }
}

}  // namespace
}  // namespace astacus::codec

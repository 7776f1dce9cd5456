#include "codec/snappy_framing.h"

#include <snappy.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "codec/crc32c.h"

namespace astacus::codec {

namespace {

constexpr std::string_view kStreamIdentifier("\xff\x06\x00\x00sNaPpY", 10);
constexpr std::string_view kIdentifierBody = kStreamIdentifier.substr(4);
constexpr size_t kMaxChunk = 65536;
constexpr size_t kChunkHeaderSize = 4;  // type byte + 24-bit little-endian body length
constexpr size_t kCrcSize = 4;
// Every snappy element yields at least one byte and costs at most six (a one-byte literal with a
// four-byte length), after a length varint of at most five bytes; so no compressed payload that
// decodes to ≤64 KiB is longer than this, and the stream decoder never buffers more.
constexpr size_t kMaxCompressedPayload = 5 + 6 * kMaxChunk;
// The longest chunk the encoder writes: header, CRC, 64 KiB stored raw.
constexpr size_t kMaxFramedChunk = kChunkHeaderSize + kCrcSize + kMaxChunk;
constexpr size_t kMaxSinkPiece = 1 << 20;  // stream.h
constexpr uint8_t kCompressedChunk = 0x00;
constexpr uint8_t kUncompressedChunk = 0x01;
constexpr uint8_t kStreamIdentifierChunk = 0xff;

void put_u24_le(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
}

void put_u32_le(std::string& out, uint32_t v) {
  put_u24_le(out, v & 0xffffff);
  out.push_back(static_cast<char>(v >> 24));
}

uint32_t get_u32_le(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24);
}

// Appends the chunk framing `chunk` (≤64 KiB). `compressed` is scratch space, passed in so that
// one buffer serves every chunk of a stream.
void append_chunk(std::string& out, std::string_view chunk, std::string& compressed) {
  snappy::Compress(chunk.data(), chunk.size(), &compressed);
  // python-snappy's rule: keep the compressed form only if it is at most 87.5 % of the input.
  bool use_compressed = compressed.size() * 8 <= chunk.size() * 7;
  std::string_view payload = use_compressed ? std::string_view(compressed) : chunk;
  out.push_back(static_cast<char>(use_compressed ? kCompressedChunk : kUncompressedChunk));
  put_u24_le(out, static_cast<uint32_t>(payload.size() + kCrcSize));
  put_u32_le(out, snappy_masked_crc32c(chunk));
  out.append(payload);
}

struct ChunkHeader {
  uint8_t type = 0;
  uint32_t length = 0;  // of the body after the header
};

ChunkHeader parse_chunk_header(std::string_view header) {
  return {static_cast<uint8_t>(header[0]), get_u32_le(header) >> 8};
}

bool is_data_chunk(uint8_t type) { return type == kCompressedChunk || type == kUncompressedChunk; }

tl::unexpected<Error> truncated(std::string_view what, uint64_t offset) {
  return errorf(ErrorCode::kCorruption, "snappy: truncated {} at offset {}", what, offset);
}

tl::unexpected<Error> bad_identifier(uint64_t offset) {
  return errorf(ErrorCode::kCorruption, "snappy: bad stream identifier at offset {}", offset);
}

tl::unexpected<Error> corrupt_compressed_chunk(uint64_t offset) {
  return errorf(ErrorCode::kCorruption, "snappy: corrupt compressed chunk at offset {}", offset);
}

Status check_data_chunk_length(ChunkHeader header, uint64_t offset) {
  if (header.length < kCrcSize) {
    return errorf(ErrorCode::kCorruption, "snappy: chunk at offset {} too short for its CRC", offset);
  }
  size_t payload = header.length - kCrcSize;
  if (header.type == kCompressedChunk && payload > kMaxCompressedPayload) return corrupt_compressed_chunk(offset);
  if (header.type == kUncompressedChunk && payload > kMaxChunk) {
    return errorf(ErrorCode::kCorruption, "snappy: oversized chunk at offset {}", offset);
  }
  return ok();
}

// Everything a chunk header alone can rule out, so that the stream decoder fails early and never
// buffers a body it would reject anyway.
Status check_chunk_header(ChunkHeader header, uint64_t offset) {
  if (offset == 0 && header.type != kStreamIdentifierChunk) {
    return errorf(ErrorCode::kCorruption, "snappy: stream does not start with the stream identifier");
  }
  if (header.type == kStreamIdentifierChunk) {
    return header.length == kIdentifierBody.size() ? ok() : bad_identifier(offset);
  }
  if (is_data_chunk(header.type)) return check_data_chunk_length(header, offset);
  if (header.type < 0x80) {
    return errorf(ErrorCode::kCorruption, "snappy: reserved unskippable chunk type 0x{:02x} at offset {}",
                  header.type, offset);
  }
  return ok();  // 0x80-0xfe: skippable (padding and reserved), ignored.
}

Status check_identifier(std::string_view body, uint64_t offset) {
  return body == kIdentifierBody ? ok() : bad_identifier(offset);
}

// The data of a data chunk whose header passed check_chunk_header(), after checking its CRC: a
// view into `body` (stored chunk) or into `scratch` (compressed chunk).
Result<std::string_view> chunk_data(uint8_t type, std::string_view body, uint64_t offset, std::string& scratch) {
  uint32_t expected_crc = get_u32_le(body);
  std::string_view data = body.substr(kCrcSize);
  if (type == kCompressedChunk) {
    size_t length = 0;
    if (!snappy::GetUncompressedLength(data.data(), data.size(), &length) || length > kMaxChunk ||
        !snappy::Uncompress(data.data(), data.size(), &scratch)) {
      return corrupt_compressed_chunk(offset);
    }
    data = scratch;
  }
  if (snappy_masked_crc32c(data) != expected_crc) {
    return errorf(ErrorCode::kCorruption, "snappy: CRC mismatch in chunk at offset {}", offset);
  }
  return data;
}

// Cuts the input at the same 64 KiB boundaries as snappy_frame_compress(), whatever the sizes of
// the update() calls, so the output is byte-identical. Framed chunks are collected into pieces of
// at most 1 MiB; each call hands what it framed to the sink.
class SnappyStreamCompressor final : public StreamTransform {
 public:
  SnappyStreamCompressor() {
    pending_.reserve(kMaxChunk);
    framed_.reserve(kMaxSinkPiece);
  }

  Status update(std::string_view input, ByteSink& out) override {
    while (!input.empty()) {
      if (pending_.empty() && input.size() >= kMaxChunk) {
        frame(input.substr(0, kMaxChunk));  // a whole chunk in the input: no copy to pending_
        input.remove_prefix(kMaxChunk);
      } else {
        size_t take = std::min(kMaxChunk - pending_.size(), input.size());
        pending_.append(input.substr(0, take));
        input.remove_prefix(take);
        if (pending_.size() == kMaxChunk) frame_pending();
      }
      if (framed_.size() + kMaxFramedChunk > kMaxSinkPiece) ASTACUS_CHECK(flush(out));
    }
    return flush(out);
  }

  Status finish(ByteSink& out) override {
    if (!pending_.empty()) frame_pending();
    return flush(out);
  }

 private:
  void frame(std::string_view chunk) {
    // The identifier comes with the first chunk: empty input encodes to 0 bytes.
    if (!started_) framed_.append(kStreamIdentifier);
    started_ = true;
    append_chunk(framed_, chunk, compressed_);
  }

  void frame_pending() {
    frame(pending_);
    pending_.clear();
  }

  Status flush(ByteSink& out) {
    if (framed_.empty()) return ok();
    Status status = out.write(framed_);
    framed_.clear();
    return status;
  }

  std::string pending_;     // input of the chunk being filled, < 64 KiB between calls
  std::string compressed_;  // scratch for append_chunk()
  std::string framed_;      // output not yet written
  bool started_ = false;
};

// A chunk at a time: the 4-byte header is collected, checked, then the body is collected (data
// and identifier chunks, at most kMaxCompressedPayload + CRC) or passed over (skippable chunks).
// Each data chunk's data (≤64 KiB) is written as soon as its CRC has been checked.
class SnappyStreamDecompressor final : public StreamTransform {
 public:
  SnappyStreamDecompressor() { body_.reserve(kCrcSize + kMaxChunk); }

  Status update(std::string_view input, ByteSink& out) override {
    while (!input.empty()) {
      if (header_size_ < kChunkHeaderSize) {
        ASTACUS_CHECK(read_header(input, out));
      } else {
        ASTACUS_CHECK(read_body(input, out));
      }
    }
    return ok();
  }

  Status finish(ByteSink& /*out*/) override {
    if (header_size_ == 0) return ok();  // between chunks (or no input at all)
    return truncated(header_size_ < kChunkHeaderSize ? "chunk header" : "chunk", chunk_offset_);
  }

 private:
  Status read_header(std::string_view& input, ByteSink& out) {
    size_t take = std::min(kChunkHeaderSize - header_size_, input.size());
    std::copy_n(input.data(), take, header_.data() + header_size_);
    header_size_ += take;
    input.remove_prefix(take);
    if (header_size_ < kChunkHeaderSize) return ok();
    chunk_ = parse_chunk_header(std::string_view(header_.data(), header_.size()));
    ASTACUS_CHECK(check_chunk_header(chunk_, chunk_offset_));
    body_.clear();
    body_missing_ = chunk_.length;
    return body_missing_ == 0 ? end_chunk(out) : ok();
  }

  Status read_body(std::string_view& input, ByteSink& out) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(body_missing_, input.size()));
    if (chunk_.type == kStreamIdentifierChunk || is_data_chunk(chunk_.type)) body_.append(input.substr(0, take));
    body_missing_ -= take;
    input.remove_prefix(take);
    return body_missing_ == 0 ? end_chunk(out) : ok();
  }

  Status end_chunk(ByteSink& out) {
    if (chunk_.type == kStreamIdentifierChunk) ASTACUS_CHECK(check_identifier(body_, chunk_offset_));
    if (is_data_chunk(chunk_.type)) {
      std::string_view data = ASTACUS_TRY(chunk_data(chunk_.type, body_, chunk_offset_, scratch_));
      if (!data.empty()) ASTACUS_CHECK(out.write(data));
    }
    chunk_offset_ += kChunkHeaderSize + chunk_.length;
    header_size_ = 0;
    return ok();
  }

  std::array<char, kChunkHeaderSize> header_{};
  size_t header_size_ = 0;  // bytes of header_ collected; kChunkHeaderSize while reading the body
  ChunkHeader chunk_;
  uint64_t chunk_offset_ = 0;  // stream offset of the current chunk, for error messages
  uint32_t body_missing_ = 0;
  std::string body_;     // CRC + payload of a data chunk, or an identifier's body
  std::string scratch_;  // a compressed chunk's decoded data
};

}  // namespace

std::string snappy_frame_compress(std::string_view data) {
  std::string out;
  if (data.empty()) return out;
  std::string compressed;
  out.append(kStreamIdentifier);
  for (size_t pos = 0; pos < data.size(); pos += kMaxChunk) {
    append_chunk(out, data.substr(pos, kMaxChunk), compressed);
  }
  return out;
}

Result<std::string> snappy_frame_decompress(std::string_view data) {
  std::string out;
  std::string scratch;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < kChunkHeaderSize) return truncated("chunk header", pos);
    ChunkHeader header = parse_chunk_header(data.substr(pos, kChunkHeaderSize));
    if (data.size() - pos - kChunkHeaderSize < header.length) return truncated("chunk", pos);
    ASTACUS_CHECK(check_chunk_header(header, pos));
    std::string_view body = data.substr(pos + kChunkHeaderSize, header.length);
    if (header.type == kStreamIdentifierChunk) ASTACUS_CHECK(check_identifier(body, pos));
    if (is_data_chunk(header.type)) out += ASTACUS_TRY(chunk_data(header.type, body, pos, scratch));
    pos += kChunkHeaderSize + header.length;
  }
  return out;
}

std::unique_ptr<StreamTransform> make_snappy_frame_compressor() {
  return std::make_unique<SnappyStreamCompressor>();
}

std::unique_ptr<StreamTransform> make_snappy_frame_decompressor() {
  return std::make_unique<SnappyStreamDecompressor>();
}

}  // namespace astacus::codec

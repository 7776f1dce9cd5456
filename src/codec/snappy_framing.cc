#include "codec/snappy_framing.h"

#include <snappy.h>

#include <cstdint>

#include "codec/crc32c.h"

namespace astacus::codec {

namespace {

constexpr std::string_view kStreamIdentifier("\xff\x06\x00\x00sNaPpY", 10);
constexpr size_t kMaxChunk = 65536;
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

void append_chunk(std::string& out, std::string_view chunk) {
  std::string compressed;
  snappy::Compress(chunk.data(), chunk.size(), &compressed);
  // python-snappy's rule: keep the compressed form only if it is at most 87.5 % of the input.
  bool use_compressed = compressed.size() * 8 <= chunk.size() * 7;
  std::string_view payload = use_compressed ? std::string_view(compressed) : chunk;
  out.push_back(static_cast<char>(use_compressed ? kCompressedChunk : kUncompressedChunk));
  put_u24_le(out, static_cast<uint32_t>(payload.size() + 4));
  put_u32_le(out, snappy_masked_crc32c(chunk));
  out.append(payload);
}

Result<std::string> chunk_data(uint8_t type, std::string_view body, size_t offset) {
  if (body.size() < 4) {
    return errorf(ErrorCode::kCorruption, "snappy: chunk at offset {} too short for its CRC", offset);
  }
  uint32_t expected_crc = get_u32_le(body);
  std::string_view payload = body.substr(4);
  std::string data;
  if (type == kCompressedChunk) {
    size_t len = 0;
    if (!snappy::GetUncompressedLength(payload.data(), payload.size(), &len) || len > kMaxChunk ||
        !snappy::Uncompress(payload.data(), payload.size(), &data)) {
      return errorf(ErrorCode::kCorruption, "snappy: corrupt compressed chunk at offset {}", offset);
    }
  } else {
    if (payload.size() > kMaxChunk) {
      return errorf(ErrorCode::kCorruption, "snappy: oversized chunk at offset {}", offset);
    }
    data.assign(payload);
  }
  if (snappy_masked_crc32c(data) != expected_crc) {
    return errorf(ErrorCode::kCorruption, "snappy: CRC mismatch in chunk at offset {}", offset);
  }
  return data;
}

}  // namespace

std::string snappy_frame_compress(std::string_view data) {
  std::string out;
  if (data.empty()) return out;
  out.append(kStreamIdentifier);
  for (size_t pos = 0; pos < data.size(); pos += kMaxChunk) append_chunk(out, data.substr(pos, kMaxChunk));
  return out;
}

Result<std::string> snappy_frame_decompress(std::string_view data) {
  std::string out;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 4) {
      return errorf(ErrorCode::kCorruption, "snappy: truncated chunk header at offset {}", pos);
    }
    auto type = static_cast<uint8_t>(data[pos]);
    uint32_t len = get_u32_le(data.substr(pos, 4)) >> 8;
    if (data.size() - pos - 4 < len) {
      return errorf(ErrorCode::kCorruption, "snappy: truncated chunk at offset {}", pos);
    }
    std::string_view body = data.substr(pos + 4, len);
    if (pos == 0 && type != kStreamIdentifierChunk) {
      return errorf(ErrorCode::kCorruption, "snappy: stream does not start with the stream identifier");
    }
    if (type == kStreamIdentifierChunk) {
      if (body != kStreamIdentifier.substr(4)) {
        return errorf(ErrorCode::kCorruption, "snappy: bad stream identifier at offset {}", pos);
      }
    } else if (type == kCompressedChunk || type == kUncompressedChunk) {
      out += ASTACUS_TRY(chunk_data(type, body, pos));
    } else if (type < 0x80) {
      return errorf(ErrorCode::kCorruption, "snappy: reserved unskippable chunk type 0x{:02x} at offset {}",
                    type, pos);
    }  // 0x80-0xfe: skippable (padding and reserved), ignored.
    pos += 4 + len;
  }
  return out;
}

}  // namespace astacus::codec

#include "codec/compression.h"

#include "codec/snappy_framing.h"
#include "codec/xz_codec.h"
#include "codec/zstd_codec.h"

namespace astacus::codec {

Result<Compression> parse_compression(std::string_view name) {
  if (name == "zstd") return Compression::kZstd;
  if (name == "snappy") return Compression::kSnappy;
  if (name == "lzma") return Compression::kLzma;
  return errorf(ErrorCode::kInvalidArgument,
                "unknown compression algorithm '{}'; accepted: zstd, snappy, lzma", name);
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kZstd:
      return "zstd";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLzma:
      return "lzma";
  }
  return "unknown";
}

Result<std::string> compress(Compression c, int level, std::string_view data) {
  switch (c) {
    case Compression::kZstd:
      return zstd_compress(level, data);
    case Compression::kSnappy:
      return snappy_frame_compress(data);
    case Compression::kLzma:
      return xz_compress(level, data);
  }
  return errorf(ErrorCode::kInternal, "bad Compression value {}", static_cast<int>(c));
}

Result<std::string> decompress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kZstd:
      return zstd_decompress(data);
    case Compression::kSnappy:
      return snappy_frame_decompress(data);
    case Compression::kLzma:
      return xz_decompress(data);
  }
  return errorf(ErrorCode::kInternal, "bad Compression value {}", static_cast<int>(c));
}

}  // namespace astacus::codec

#pragma once
// The three rohmu compression formats (storage-formats.md §1.5), as whole-buffer functions:
//   zstd   — one standard zstd frame; the decoder also accepts concatenated frames.
//   snappy — the Snappy *framing* format (stream identifier, ≤64 KiB chunks, masked CRC-32C);
//            empty input encodes to 0 bytes.
//   lzma   — an .xz container with a CRC64 check; the decoder auto-detects .xz / legacy .lzma
//            and accepts concatenated streams.
// All functions are pure and thread-safe. Corrupt or truncated input gives a Corruption error.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

enum class Compression { kZstd, kSnappy, kLzma };

/// Parses exactly "zstd", "snappy" or "lzma" (the values of `compression-algorithm` metadata and
/// of `object_storage.compression.algorithm`). InvalidArgument listing the accepted values.
Result<Compression> parse_compression(std::string_view name);

/// "zstd", "snappy" or "lzma".
std::string_view compression_name(Compression c);

/// Compresses `data`. `level` 0 means the codec default (zstd 3, xz preset 0); snappy ignores it.
/// InvalidArgument for an xz preset outside 0..9.
Result<std::string> compress(Compression c, int level, std::string_view data);

/// Decompresses a whole stored stream. Empty input decodes to empty output for every codec.
Result<std::string> decompress(Compression c, std::string_view data);

}  // namespace astacus::codec

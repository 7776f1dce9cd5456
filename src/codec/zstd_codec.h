#pragma once
// zstd frames (see compression.h). Prefer the Compression dispatch in compression.h and, for
// streams, make_compressor()/make_decompressor() in compression_stream.h.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "codec/stream.h"

namespace astacus::codec {

/// One frame, streaming API (no content checksum). Level 0 = libzstd default (3).
Result<std::string> zstd_compress(int level, std::string_view data);
/// Decodes one or more concatenated frames. Corruption on bad or truncated input.
Result<std::string> zstd_decompress(std::string_view data);

/// Streaming zstd_compress(): one frame, which states `pledged_size` as its content size when
/// given (libzstd then also fails a stream of another size). No call-order checks: use
/// make_compressor(), which adds them.
Result<std::unique_ptr<StreamTransform>> make_zstd_compressor(int level, std::optional<uint64_t> pledged_size);
/// Streaming zstd_decompress(). No call-order checks: use make_decompressor().
Result<std::unique_ptr<StreamTransform>> make_zstd_decompressor();

}  // namespace astacus::codec

#pragma once
// .xz via liblzma. Prefer the Compression dispatch in compression.h and, for streams,
// make_compressor()/make_decompressor() in compression_stream.h.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "codec/stream.h"

namespace astacus::codec {

/// .xz container, CRC64 check, LZMA2 with `preset` (0..9; InvalidArgument otherwise).
Result<std::string> xz_compress(int preset, std::string_view data);
/// Auto-detects .xz / .lzma, accepts concatenated streams. Corruption on bad/truncated input.
Result<std::string> xz_decompress(std::string_view data);

/// Streaming xz_compress(). No call-order checks: use make_compressor(), which adds them.
Result<std::unique_ptr<StreamTransform>> make_xz_compressor(int preset);
/// Streaming xz_decompress(). No call-order checks: use make_decompressor().
Result<std::unique_ptr<StreamTransform>> make_xz_decompressor();

}  // namespace astacus::codec

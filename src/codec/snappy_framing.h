#pragma once
// The Snappy framing format (google/snappy framing_format.txt), as python-snappy's stream
// classes write it. Prefer the Compression dispatch in compression.h and, for streams,
// make_compressor()/make_decompressor() in compression_stream.h.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "codec/stream.h"

namespace astacus::codec {

/// Stream identifier + chunks of ≤64 KiB input; a chunk is stored snappy-compressed (type 0x00)
/// only when that saves at least 12.5 %, else raw (0x01). Empty input gives 0 bytes.
std::string snappy_frame_compress(std::string_view data);

/// Accepts empty input, identifier-only streams and repeated identifiers; skips chunk types
/// 0x80-0xfe; rejects reserved 0x02-0x7f, bad CRCs and truncation (Corruption).
Result<std::string> snappy_frame_decompress(std::string_view data);

/// Streaming snappy_frame_compress(), byte-identical to it for any split of the input.
/// No call-order checks: use make_compressor(), which adds them.
std::unique_ptr<StreamTransform> make_snappy_frame_compressor();
/// Streaming snappy_frame_decompress(). No call-order checks: use make_decompressor().
std::unique_ptr<StreamTransform> make_snappy_frame_decompressor();

}  // namespace astacus::codec

#pragma once
// The Snappy framing format (google/snappy framing_format.txt), as python-snappy's stream
// classes write it. Prefer the Compression dispatch in compression.h.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// Stream identifier + chunks of ≤64 KiB input; a chunk is stored snappy-compressed (type 0x00)
/// only when that saves at least 12.5 %, else raw (0x01). Empty input gives 0 bytes.
std::string snappy_frame_compress(std::string_view data);

/// Accepts empty input, identifier-only streams and repeated identifiers; skips chunk types
/// 0x80-0xfe; rejects reserved 0x02-0x7f, bad CRCs and truncation (Corruption).
Result<std::string> snappy_frame_decompress(std::string_view data);

}  // namespace astacus::codec

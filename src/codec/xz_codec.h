#pragma once
// .xz via liblzma. Prefer the Compression dispatch in compression.h.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// .xz container, CRC64 check, LZMA2 with `preset` (0..9; InvalidArgument otherwise).
Result<std::string> xz_compress(int preset, std::string_view data);
/// Auto-detects .xz / .lzma, accepts concatenated streams. Corruption on bad/truncated input.
Result<std::string> xz_decompress(std::string_view data);

}  // namespace astacus::codec

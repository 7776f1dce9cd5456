#pragma once
// zstd frames (see compression.h). Prefer the Compression dispatch in compression.h.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

/// One frame, streaming API (no content checksum). Level 0 = libzstd default (3).
Result<std::string> zstd_compress(int level, std::string_view data);
/// Decodes one or more concatenated frames. Corruption on bad or truncated input.
Result<std::string> zstd_decompress(std::string_view data);

}  // namespace astacus::codec

#pragma once
// Streaming compress() / decompress() (compression.h): the same three formats, fed chunk by chunk
// through a StreamTransform (stream.h), so an object of any size passes through buffers of bounded
// size. The transforms returned here also enforce the call order: update()/finish() after
// finish() or after a failed call return Internal.

#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.h"
#include "codec/compression.h"
#include "codec/stream.h"

namespace astacus::codec {

/// A compressor producing the format compress(c, level, ·) produces (compression.h): one zstd frame,
/// the Snappy framing format, or one .xz stream with CRC64. `level` as in compress(). `pledged_size`:
/// the exact total input size when known; zstd records it in the frame header (so the existing
/// one-call decode path in zstd_codec.cc applies) and update() past it, or finish() short of it, fails
/// with InvalidArgument.
Result<std::unique_ptr<StreamTransform>> make_compressor(Compression c, int level,
                                                         std::optional<uint64_t> pledged_size = std::nullopt);

/// A decompressor accepting exactly what decompress(c, ·) accepts (empty input → empty output,
/// concatenated zstd frames, .xz and legacy .lzma and concatenated xz streams, snappy identifier-only
/// streams, repeated identifiers, skippable chunks) and rejecting what it rejects (Corruption, with
/// messages like the whole-buffer ones: bad CRC, truncated, reserved chunk type, ...).
Result<std::unique_ptr<StreamTransform>> make_decompressor(Compression c);

}  // namespace astacus::codec

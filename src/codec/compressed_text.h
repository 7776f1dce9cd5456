#pragma once
// Text kept zstd-compressed in memory: written piece by piece, read back piece by piece, never
// whole. A snapshot's file list (~200 bytes per file as text, ~50 compressed) is held this way
// by the node that made it, until the coordinator has it, and by the coordinator, until the
// manifest is written. The compressed bytes live in chunks of at most 1 MiB: one string would
// hold up to twice its size while it grows.
//
// Thread-safety: append()/finish() from one thread; once finished, write() from any number.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "codec/stream.h"

namespace astacus::codec {

class CompressedText {
 public:
  CompressedText();
  ~CompressedText();
  CompressedText(CompressedText&&) noexcept;
  CompressedText& operator=(CompressedText&&) noexcept;

  /// Adds text (small pieces batched: zstd gets at least 64 KiB at a time).
  Status append(std::string_view text);
  /// Ends the text; write() needs it.
  Status finish();

  /// Decompresses the whole text into `out`, in pieces of at most ~1 MiB.
  Status write(ByteSink& out) const;

  uint64_t text_size() const { return text_size_; }
  size_t compressed_bytes() const;
  /// What the chunks occupy (their capacity).
  size_t allocated_bytes() const;

 private:
  Status compress(std::string_view text);
  Status compress_pending();

  std::unique_ptr<StreamTransform> compressor_;  // until finish()
  std::string pending_;
  std::vector<std::string> chunks_;
  uint64_t text_size_ = 0;
  bool finished_ = false;
};

}  // namespace astacus::codec

#include "codec/compressed_text.h"

#include <algorithm>

#include "codec/zstd_codec.h"

namespace astacus::codec {

namespace {

/// zstd's fastest level: such text is compressed once and read once or twice, and its
/// hexdigests, most of its bytes, compress no better at higher levels.
constexpr int kLevel = 1;
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr size_t kBatchBytes = size_t{64} << 10;

/// Appends to a list of strings of kChunkBytes each.
class ChunkSink final : public ByteSink {
 public:
  explicit ChunkSink(std::vector<std::string>& chunks) : chunks_(chunks) {}
  Status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      if (chunks_.empty() || chunks_.back().size() == kChunkBytes) chunks_.emplace_back().reserve(kChunkBytes);
      std::string& last = chunks_.back();
      size_t n = std::min(bytes.size(), kChunkBytes - last.size());
      last.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
    }
    return ok();
  }

 private:
  std::vector<std::string>& chunks_;
};

}  // namespace

CompressedText::CompressedText() = default;
CompressedText::~CompressedText() = default;
CompressedText::CompressedText(CompressedText&&) noexcept = default;
CompressedText& CompressedText::operator=(CompressedText&&) noexcept = default;

Status CompressedText::append(std::string_view text) {
  if (finished_) return errorf(ErrorCode::kInternal, "compressed text appended to after finish");
  text_size_ += text.size();
  if (pending_.size() + text.size() < kBatchBytes) {
    pending_.append(text);
    return ok();
  }
  ASTACUS_CHECK(compress_pending());
  return compress(text);  // a big piece goes straight through, not copied
}

Status CompressedText::compress(std::string_view text) {
  if (!compressor_) compressor_ = ASTACUS_TRY(make_zstd_compressor(kLevel, std::nullopt));
  ChunkSink sink(chunks_);
  return compressor_->update(text, sink);
}

Status CompressedText::compress_pending() {
  ASTACUS_CHECK(compress(pending_));
  pending_.clear();
  return ok();
}

Status CompressedText::finish() {
  if (finished_) return ok();
  ASTACUS_CHECK(compress_pending());
  ChunkSink sink(chunks_);
  ASTACUS_CHECK(compressor_->finish(sink));
  compressor_.reset();
  std::string().swap(pending_);
  if (!chunks_.empty()) chunks_.back().shrink_to_fit();
  finished_ = true;
  return ok();
}

Status CompressedText::write(ByteSink& out) const {
  if (!finished_) return errorf(ErrorCode::kInternal, "compressed text read before finish");
  auto decompressor = ASTACUS_TRY(make_zstd_decompressor());
  for (const auto& chunk : chunks_) ASTACUS_CHECK(decompressor->update(chunk, out));
  return decompressor->finish(out);
}

size_t CompressedText::compressed_bytes() const {
  size_t bytes = 0;
  for (const auto& chunk : chunks_) bytes += chunk.size();
  return bytes;
}

size_t CompressedText::allocated_bytes() const {
  size_t bytes = 0;
  for (const auto& chunk : chunks_) bytes += chunk.capacity();
  return bytes;
}

}  // namespace astacus::codec

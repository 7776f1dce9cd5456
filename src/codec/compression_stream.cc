#include "codec/compression_stream.h"

#include <utility>

#include "codec/snappy_framing.h"
#include "codec/xz_codec.h"
#include "codec/zstd_codec.h"

namespace astacus::codec {

namespace {

// Wraps a codec's transform with the checks common to all codecs: once finish() has run or a call
// has failed, the codec's state is unknown, so later calls are refused (Internal) instead of
// producing more output; and a pledged input size holds for every codec, not only for zstd, which
// also writes it into the frame header.
class CheckedTransform final : public StreamTransform {
 public:
  CheckedTransform(std::unique_ptr<StreamTransform> codec, std::optional<uint64_t> pledged_size)
      : codec_(std::move(codec)), pledged_size_(pledged_size) {}

  Status update(std::string_view input, ByteSink& out) override {
    ASTACUS_CHECK(check_open("update"));
    return record(update_codec(input, out));
  }

  Status finish(ByteSink& out) override {
    ASTACUS_CHECK(check_open("finish"));
    Status status = finish_codec(out);
    state_ = status ? State::kFinished : State::kFailed;
    return status;
  }

 private:
  enum class State { kOpen, kFinished, kFailed };

  Status check_open(std::string_view call) const {
    switch (state_) {
      case State::kOpen:
        return ok();
      case State::kFinished:
        return errorf(ErrorCode::kInternal, "stream transform: {}() after finish()", call);
      case State::kFailed:
        return errorf(ErrorCode::kInternal, "stream transform: {}() after a failed call", call);
    }
    return ok();
  }

  Status record(Status status) {
    if (!status) state_ = State::kFailed;
    return status;
  }

  Status update_codec(std::string_view input, ByteSink& out) {
    if (pledged_size_ && input.size() > *pledged_size_ - consumed_) {
      return errorf(ErrorCode::kInvalidArgument, "compression stream: input exceeds the pledged size of {} bytes",
                    *pledged_size_);
    }
    consumed_ += input.size();
    return codec_->update(input, out);
  }

  Status finish_codec(ByteSink& out) {
    if (pledged_size_ && consumed_ != *pledged_size_) {
      return errorf(ErrorCode::kInvalidArgument, "compression stream: finished after {} bytes, {} were pledged",
                    consumed_, *pledged_size_);
    }
    return codec_->finish(out);
  }

  std::unique_ptr<StreamTransform> codec_;
  std::optional<uint64_t> pledged_size_;
  uint64_t consumed_ = 0;
  State state_ = State::kOpen;
};

Result<std::unique_ptr<StreamTransform>> codec_compressor(Compression c, int level,
                                                          std::optional<uint64_t> pledged_size) {
  switch (c) {
    case Compression::kZstd:
      return make_zstd_compressor(level, pledged_size);
    case Compression::kSnappy:
      return make_snappy_frame_compressor();
    case Compression::kLzma:
      return make_xz_compressor(level);
  }
  return errorf(ErrorCode::kInternal, "bad Compression value {}", static_cast<int>(c));
}

Result<std::unique_ptr<StreamTransform>> codec_decompressor(Compression c) {
  switch (c) {
    case Compression::kZstd:
      return make_zstd_decompressor();
    case Compression::kSnappy:
      return make_snappy_frame_decompressor();
    case Compression::kLzma:
      return make_xz_decompressor();
  }
  return errorf(ErrorCode::kInternal, "bad Compression value {}", static_cast<int>(c));
}

}  // namespace

Result<std::unique_ptr<StreamTransform>> make_compressor(Compression c, int level,
                                                         std::optional<uint64_t> pledged_size) {
  auto codec = ASTACUS_TRY(codec_compressor(c, level, pledged_size));
  return std::make_unique<CheckedTransform>(std::move(codec), pledged_size);
}

Result<std::unique_ptr<StreamTransform>> make_decompressor(Compression c) {
  auto codec = ASTACUS_TRY(codec_decompressor(c));
  return std::make_unique<CheckedTransform>(std::move(codec), std::nullopt);
}

}  // namespace astacus::codec

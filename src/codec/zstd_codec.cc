#include "codec/zstd_codec.h"

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

namespace astacus::codec {

namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread, reset before each use: creating a context allocates and clears its
// tables, which cost more than compressing or decompressing a small blob.
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (cctx) ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
  return cctx.get();
}

ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (dctx) ZSTD_DCtx_reset(dctx.get(), ZSTD_reset_session_and_parameters);
  return dctx.get();
}

// A single frame that states its size (ours do) decodes straight into a buffer of that size.
// Larger claimed sizes (maybe a corrupt header) take the streaming path, which only grows
// with real output.
constexpr unsigned long long kMaxDirectDecodeSize = 1ULL << 30;

std::optional<unsigned long long> single_frame_size(std::string_view data) {
  unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > kMaxDirectDecodeSize) {
    return std::nullopt;
  }
  if (ZSTD_findFrameCompressedSize(data.data(), data.size()) != data.size()) return std::nullopt;
  return size;
}

Status set_level(ZSTD_CCtx* cctx, int level) {
  size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(rc)) {
    return errorf(ErrorCode::kInvalidArgument, "zstd: bad level {}: {}", level, ZSTD_getErrorName(rc));
  }
  return ok();
}

tl::unexpected<Error> corrupt(size_t zstd_error) {
  return errorf(ErrorCode::kCorruption, "zstd: corrupt data: {}", ZSTD_getErrorName(zstd_error));
}

tl::unexpected<Error> truncated() {
  return errorf(ErrorCode::kCorruption, "zstd: truncated data (frame incomplete)");
}

// Output buffers of the streaming transforms: libzstd's recommended sizes (~128 KiB), capped at
// the sink-piece limit of stream.h.
constexpr size_t kMaxSinkPiece = 1 << 20;

// update() feeds input with ZSTD_e_continue (zstd buffers up to a block and writes what it
// completes); finish() ends the frame with ZSTD_e_end.
class ZstdStreamCompressor final : public StreamTransform {
 public:
  explicit ZstdStreamCompressor(std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx)
      : cctx_(std::move(cctx)), buffer_(std::min(ZSTD_CStreamOutSize(), kMaxSinkPiece), '\0') {}

  Status update(std::string_view input, ByteSink& out) override { return compress(input, ZSTD_e_continue, out); }
  Status finish(ByteSink& out) override { return compress({}, ZSTD_e_end, out); }

 private:
  Status compress(std::string_view input, ZSTD_EndDirective mode, ByteSink& out) {
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      ZSTD_outBuffer ob{buffer_.data(), buffer_.size(), 0};
      size_t remaining = ZSTD_compressStream2(cctx_.get(), &ob, &in, mode);
      if (ZSTD_isError(remaining)) {
        return errorf(ErrorCode::kInternal, "zstd compression failed: {}", ZSTD_getErrorName(remaining));
      }
      if (ob.pos > 0) ASTACUS_CHECK(out.write(std::string_view(buffer_.data(), ob.pos)));
      bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size && ob.pos < ob.size;
      if (done) return ok();
    }
  }

  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx_;
  std::string buffer_;
};

// The streaming decoder moves on to the next frame by itself, so concatenated frames decode.
class ZstdStreamDecompressor final : public StreamTransform {
 public:
  explicit ZstdStreamDecompressor(std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx)
      : dctx_(std::move(dctx)), buffer_(std::min(ZSTD_DStreamOutSize(), kMaxSinkPiece), '\0') {}

  Status update(std::string_view input, ByteSink& out) override {
    // Nothing to do: the previous call left no output behind. (zstd also counts calls without
    // progress and fails after a few.)
    if (input.empty()) return ok();
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
      size_t in_before = in.pos;
      size_t produced = ASTACUS_TRY(decode(in, out));
      // A full output buffer may mean more output is waiting, even when all input is consumed.
      if (produced == buffer_.size()) continue;
      if (in.pos == in.size) return ok();
      if (in.pos == in_before && produced == 0) {
        return errorf(ErrorCode::kInternal, "zstd: decoder made no progress");
      }
    }
  }

  // Drains output zstd may still hold, then checks that the last frame is complete.
  Status finish(ByteSink& out) override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (frame_open_) {
      if (ASTACUS_TRY(decode(in, out)) == 0 && frame_open_) return truncated();
    }
    return ok();
  }

 private:
  // One ZSTD_decompressStream() call; writes and returns the bytes it produced.
  Result<size_t> decode(ZSTD_inBuffer& in, ByteSink& out) {
    size_t in_before = in.pos;
    ZSTD_outBuffer ob{buffer_.data(), buffer_.size(), 0};
    size_t hint = ZSTD_decompressStream(dctx_.get(), &ob, &in);
    if (ZSTD_isError(hint)) return corrupt(hint);
    // 0 = a frame is complete and flushed; anything else = inside a frame. A call that moved
    // nothing (made to see whether a full buffer hid more output) already expects the next
    // frame's header, which says nothing about the frame just ended.
    if (in.pos != in_before || ob.pos > 0) frame_open_ = hint != 0;
    if (ob.pos > 0) ASTACUS_CHECK(out.write(std::string_view(buffer_.data(), ob.pos)));
    return ob.pos;
  }

  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx_;
  std::string buffer_;
  bool frame_open_ = false;  // no input yet counts as complete: empty input decodes to nothing
};

}  // namespace

Result<std::string> zstd_compress(int level, std::string_view data) {
  ZSTD_CCtx* cctx = thread_cctx();
  if (!cctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a compression context");
  ASTACUS_CHECK(set_level(cctx, level));
  std::string out(ZSTD_compressBound(data.size()), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  for (;;) {
    size_t remaining = ZSTD_compressStream2(cctx, &ob, &in, ZSTD_e_end);
    if (ZSTD_isError(remaining)) {
      return errorf(ErrorCode::kInternal, "zstd compression failed: {}", ZSTD_getErrorName(remaining));
    }
    if (remaining == 0) break;
    // compressBound is an upper bound, so this only triggers for tiny inputs plus frame epilogue.
    out.resize(out.size() + remaining + 64);
    ob.dst = out.data();
    ob.size = out.size();
  }
  out.resize(ob.pos);
  return out;
}

Result<std::string> zstd_decompress(std::string_view data) {
  if (data.empty()) return std::string();
  ZSTD_DCtx* dctx = thread_dctx();
  if (!dctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a decompression context");
  std::string out;
  if (auto size = single_frame_size(data)) {
    out.resize(*size);
    size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), data.data(), data.size());
    if (ZSTD_isError(n)) return corrupt(n);
    if (n != out.size()) {
      return errorf(ErrorCode::kCorruption, "zstd: frame decodes to {} bytes, its header says {}", n, out.size());
    }
    return out;
  }
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t last = 0;
  // The streaming decoder moves on to the next frame by itself, so concatenated frames decode.
  for (;;) {
    size_t in_before = in.pos;
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(last)) return corrupt(last);
    out.append(buf.data(), ob.pos);
    if (last == 0 && in.pos == in.size) break;      // last frame complete and flushed
    if (in.pos == in_before && ob.pos == 0) break;  // no progress possible: input ended mid-frame
  }
  if (last != 0) return truncated();
  return out;
}

Result<std::unique_ptr<StreamTransform>> make_zstd_compressor(int level, std::optional<uint64_t> pledged_size) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a compression context");
  ASTACUS_CHECK(set_level(cctx.get(), level));
  if (pledged_size) {
    size_t rc = ZSTD_CCtx_setPledgedSrcSize(cctx.get(), *pledged_size);
    if (ZSTD_isError(rc)) {
      return errorf(ErrorCode::kInvalidArgument, "zstd: bad pledged size {}: {}", *pledged_size,
                    ZSTD_getErrorName(rc));
    }
  }
  return std::make_unique<ZstdStreamCompressor>(std::move(cctx));
}

Result<std::unique_ptr<StreamTransform>> make_zstd_decompressor() {
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a decompression context");
  return std::make_unique<ZstdStreamDecompressor>(std::move(dctx));
}

}  // namespace astacus::codec

#include "codec/zstd_codec.h"

#include <zstd.h>

#include <memory>
#include <optional>

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

}  // namespace

Result<std::string> zstd_compress(int level, std::string_view data) {
  ZSTD_CCtx* cctx = thread_cctx();
  if (!cctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a compression context");
  size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(rc)) {
    return errorf(ErrorCode::kInvalidArgument, "zstd: bad level {}: {}", level, ZSTD_getErrorName(rc));
  }
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
    if (ZSTD_isError(n)) return errorf(ErrorCode::kCorruption, "zstd: corrupt data: {}", ZSTD_getErrorName(n));
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
    if (ZSTD_isError(last)) {
      return errorf(ErrorCode::kCorruption, "zstd: corrupt data: {}", ZSTD_getErrorName(last));
    }
    out.append(buf.data(), ob.pos);
    if (last == 0 && in.pos == in.size) break;      // last frame complete and flushed
    if (in.pos == in_before && ob.pos == 0) break;  // no progress possible: input ended mid-frame
  }
  if (last != 0) return errorf(ErrorCode::kCorruption, "zstd: truncated data (frame incomplete)");
  return out;
}

}  // namespace astacus::codec

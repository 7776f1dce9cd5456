#include "codec/zstd_codec.h"

#include <zstd.h>

#include <memory>

namespace astacus::codec {

namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

Result<std::string> zstd_compress(int level, std::string_view data) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a compression context");
  size_t rc = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(rc)) {
    return errorf(ErrorCode::kInvalidArgument, "zstd: bad level {}: {}", level, ZSTD_getErrorName(rc));
  }
  std::string out(ZSTD_compressBound(data.size()), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  ZSTD_outBuffer ob{out.data(), out.size(), 0};
  for (;;) {
    size_t remaining = ZSTD_compressStream2(cctx.get(), &ob, &in, ZSTD_e_end);
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
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return errorf(ErrorCode::kInternal, "zstd: cannot allocate a decompression context");
  std::string out;
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t last = 0;
  // The streaming decoder moves on to the next frame by itself, so concatenated frames decode.
  for (;;) {
    size_t in_before = in.pos;
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(dctx.get(), &ob, &in);
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

#include "codec/xz_codec.h"

#include <lzma.h>

#include <algorithm>

namespace astacus::codec {

namespace {

// Drives `strm` with LZMA_FINISH over the whole input until the stream ends.
lzma_ret run(lzma_stream& strm, std::string_view in, std::string& out) {
  strm.next_in = reinterpret_cast<const uint8_t*>(in.data());
  strm.avail_in = in.size();
  size_t chunk = std::max<size_t>(in.size(), 1 << 16);
  for (;;) {
    size_t used = out.size();
    out.resize(used + chunk);
    strm.next_out = reinterpret_cast<uint8_t*>(out.data() + used);
    strm.avail_out = chunk;
    lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
    out.resize(out.size() - strm.avail_out);
    if (ret != LZMA_OK) return ret;
  }
}

std::string_view describe(lzma_ret ret) {
  switch (ret) {
    case LZMA_FORMAT_ERROR:
      return "not an xz/lzma stream";
    case LZMA_DATA_ERROR:
      return "corrupt data";
    case LZMA_BUF_ERROR:
      return "truncated data";
    case LZMA_OPTIONS_ERROR:
      return "unsupported options";
    case LZMA_MEM_ERROR:
      return "out of memory";
    default:
      return "liblzma error";
  }
}

}  // namespace

Result<std::string> xz_compress(int preset, std::string_view data) {
  if (preset < 0 || preset > 9) {
    return errorf(ErrorCode::kInvalidArgument, "lzma: compression level {} is not an xz preset 0..9", preset);
  }
  lzma_stream strm = LZMA_STREAM_INIT;
  lzma_ret ret = lzma_easy_encoder(&strm, static_cast<uint32_t>(preset), LZMA_CHECK_CRC64);
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: encoder init failed: {}", describe(ret));
  std::string out;
  ret = run(strm, data, out);
  lzma_end(&strm);
  if (ret != LZMA_STREAM_END)
    return errorf(ErrorCode::kInternal, "lzma: compression failed: {}", describe(ret));
  return out;
}

Result<std::string> xz_decompress(std::string_view data) {
  if (data.empty()) return std::string();
  lzma_stream strm = LZMA_STREAM_INIT;
  lzma_ret ret = lzma_auto_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED);
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: decoder init failed: {}", describe(ret));
  std::string out;
  ret = run(strm, data, out);
  lzma_end(&strm);
  if (ret != LZMA_STREAM_END) return errorf(ErrorCode::kCorruption, "lzma: {}", describe(ret));
  return out;
}

}  // namespace astacus::codec

#include "codec/xz_codec.h"

#include <lzma.h>

#include <algorithm>
#include <cstdint>
#include <utility>

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

Status check_preset(int preset) {
  if (preset < 0 || preset > 9) {
    return errorf(ErrorCode::kInvalidArgument, "lzma: compression level {} is not an xz preset 0..9", preset);
  }
  return ok();
}

// The encoder and decoder setups shared by the whole-buffer and the streaming functions.
lzma_ret init_encoder(lzma_stream& strm, int preset) {
  return lzma_easy_encoder(&strm, static_cast<uint32_t>(preset), LZMA_CHECK_CRC64);
}

lzma_ret init_decoder(lzma_stream& strm) { return lzma_auto_decoder(&strm, UINT64_MAX, LZMA_CONCATENATED); }

tl::unexpected<Error> compression_failed(lzma_ret ret) {
  return errorf(ErrorCode::kInternal, "lzma: compression failed: {}", describe(ret));
}

tl::unexpected<Error> decoding_failed(lzma_ret ret) {
  return errorf(ErrorCode::kCorruption, "lzma: {}", describe(ret));
}

enum class XzRole { kEncoder, kDecoder };

// update() runs liblzma with LZMA_RUN over the input, finish() with LZMA_FINISH until the stream
// ends. Output goes to the sink through one buffer, one piece per lzma_code() call that produced
// any.
class XzStreamTransform final : public StreamTransform {
 public:
  static constexpr size_t kOutputBufferSize = 256 << 10;  // below the 1 MiB piece limit of stream.h

  explicit XzStreamTransform(XzRole role) : role_(role), buffer_(kOutputBufferSize, '\0') {}
  ~XzStreamTransform() override { lzma_end(&strm_); }
  XzStreamTransform(const XzStreamTransform&) = delete;
  XzStreamTransform& operator=(const XzStreamTransform&) = delete;

  lzma_stream& stream() { return strm_; }

  Status update(std::string_view input, ByteSink& out) override {
    // An empty call would be a call without progress, which liblzma reports as an error the
    // second time in a row.
    if (input.empty()) return ok();
    saw_input_ = true;
    strm_.next_in = reinterpret_cast<const uint8_t*>(input.data());
    strm_.avail_in = input.size();
    Status status = code(LZMA_RUN, out);
    strm_.next_in = nullptr;  // `input` is gone after this call
    strm_.avail_in = 0;
    return status;
  }

  Status finish(ByteSink& out) override {
    // Like xz_decompress(): empty input decodes to empty output, not "truncated".
    if (role_ == XzRole::kDecoder && !saw_input_) return ok();
    return code(LZMA_FINISH, out);
  }

 private:
  Status code(lzma_action action, ByteSink& out) {
    for (;;) {
      strm_.next_out = reinterpret_cast<uint8_t*>(buffer_.data());
      strm_.avail_out = buffer_.size();
      lzma_ret ret = lzma_code(&strm_, action);
      size_t produced = buffer_.size() - strm_.avail_out;
      if (produced > 0) ASTACUS_CHECK(out.write(std::string_view(buffer_.data(), produced)));
      if (ret == LZMA_STREAM_END) return ok();
      if (ret != LZMA_OK) return role_ == XzRole::kEncoder ? compression_failed(ret) : decoding_failed(ret);
      // LZMA_RUN: done once the input is consumed and liblzma had room to spare (nothing held back).
      if (action == LZMA_RUN && strm_.avail_in == 0 && strm_.avail_out > 0) return ok();
    }
  }

  XzRole role_;
  lzma_stream strm_ = LZMA_STREAM_INIT;
  std::string buffer_;
  bool saw_input_ = false;
};

}  // namespace

Result<std::string> xz_compress(int preset, std::string_view data) {
  ASTACUS_CHECK(check_preset(preset));
  lzma_stream strm = LZMA_STREAM_INIT;
  lzma_ret ret = init_encoder(strm, preset);
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: encoder init failed: {}", describe(ret));
  std::string out;
  ret = run(strm, data, out);
  lzma_end(&strm);
  if (ret != LZMA_STREAM_END) return compression_failed(ret);
  return out;
}

Result<std::string> xz_decompress(std::string_view data) {
  if (data.empty()) return std::string();
  lzma_stream strm = LZMA_STREAM_INIT;
  lzma_ret ret = init_decoder(strm);
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: decoder init failed: {}", describe(ret));
  std::string out;
  ret = run(strm, data, out);
  lzma_end(&strm);
  if (ret != LZMA_STREAM_END) return decoding_failed(ret);
  return out;
}

Result<std::unique_ptr<StreamTransform>> make_xz_compressor(int preset) {
  ASTACUS_CHECK(check_preset(preset));
  auto transform = std::make_unique<XzStreamTransform>(XzRole::kEncoder);
  lzma_ret ret = init_encoder(transform->stream(), preset);
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: encoder init failed: {}", describe(ret));
  return std::unique_ptr<StreamTransform>(std::move(transform));
}

Result<std::unique_ptr<StreamTransform>> make_xz_decompressor() {
  auto transform = std::make_unique<XzStreamTransform>(XzRole::kDecoder);
  lzma_ret ret = init_decoder(transform->stream());
  if (ret != LZMA_OK) return errorf(ErrorCode::kInternal, "lzma: decoder init failed: {}", describe(ret));
  return std::unique_ptr<StreamTransform>(std::move(transform));
}

}  // namespace astacus::codec

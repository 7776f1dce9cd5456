#pragma once
// Push-style streaming byte transforms: the formats of compression.h, rsa_envelope.h and
// data_key_envelope.h fed chunk by chunk, so an object of any size passes through buffers of
// bounded size (a multi-GB SSTable costs a few MiB of RAM, not twice its size). The factories
// live beside the whole-buffer functions: compression_stream.h, envelope_stream.h.
// One transform object per stream; not thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "codec/blake2s.h"

namespace astacus::codec {

/// Receives a transform's output as it is produced. The view is valid only during the call;
/// an error stops the transform and is returned by its update()/finish().
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view bytes) = 0;
};

/// Appends everything to a string (tests, small objects).
class StringSink final : public ByteSink {
 public:
  Status write(std::string_view bytes) override {
    out.append(bytes);
    return ok();
  }
  std::string out;
};

/// Hands every piece to a function (which the sink refers to, not owns).
class FunctionSink final : public ByteSink {
 public:
  explicit FunctionSink(const std::function<Status(std::string_view)>& f) : f_(f) {}
  Status write(std::string_view bytes) override { return f_(bytes); }

 private:
  const std::function<Status(std::string_view)>& f_;
};

/// update() any number of times (inputs of any size, including 0 bytes), then finish() once.
/// Output is written to the sink in pieces of bounded size (at most ~1 MiB each, whatever the
/// input size), as soon as the format allows. Decoders report bad, truncated or tampered input
/// as Corruption, at the latest from finish(); whatever a decoder wrote before such an error
/// must be discarded by the caller (authentication tags are only checked at the end).
class StreamTransform {
 public:
  virtual ~StreamTransform() = default;
  virtual Status update(std::string_view input, ByteSink& out) = 0;
  virtual Status finish(ByteSink& out) = 0;
};

/// Passes bytes on to `next` while counting and BLAKE2s-hashing them (a blob's plaintext on its
/// way in or out). More than `expected_size` bytes is Corruption at once, which also stops a
/// decompression bomb at the size the manifest records; check() at the end says whether exactly
/// the expected bytes with the expected digest went through (Corruption naming what differs).
class VerifyingSink final : public ByteSink {
 public:
  /// `hash` = false only counts (for callers that vouch for the content otherwise).
  VerifyingSink(ByteSink& next, uint64_t expected_size, bool hash = true)
      : next_(next), expected_size_(expected_size), hash_(hash) {}
  Status write(std::string_view bytes) override;
  /// Exactly `expected_size` bytes went through.
  Status check_size() const;
  /// check_size(), and their BLAKE2s is `hexdigest` (Internal error when built without hashing).
  Status check(const std::string& hexdigest);

 private:
  ByteSink& next_;
  uint64_t expected_size_;
  bool hash_;
  uint64_t size_ = 0;
  Blake2sHasher hasher_;
};

/// Runs transforms one after another: write() feeds the first, each one's output feeds the next,
/// the last one's goes to `out`. finish() finishes them in order (a compressor's last bytes still
/// pass through the encryptor). With no transforms it passes bytes straight to `out`.
class TransformChain final : public ByteSink {
 public:
  TransformChain(std::vector<std::unique_ptr<StreamTransform>> stages, ByteSink& out);
  ~TransformChain() override;
  TransformChain(const TransformChain&) = delete;
  TransformChain& operator=(const TransformChain&) = delete;

  Status write(std::string_view bytes) override;
  Status finish();

 private:
  class Link;
  std::vector<std::unique_ptr<StreamTransform>> stages_;
  std::vector<std::unique_ptr<ByteSink>> links_;  // links_[i] feeds stages_[i + 1]
  ByteSink& out_;
};

}  // namespace astacus::codec

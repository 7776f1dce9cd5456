#include "storage/s3/object_stream.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <deque>
#include <future>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "storage/parts_in_flight.h"
#include "storage/ranged_reader.h"
#include "storage/s3/multipart.h"
#include "storage/s3/s3_call.h"

namespace astacus::storage::s3 {

namespace {

class StreamingWriter final : public ObjectWriter {
 public:
  StreamingWriter(Client& client, const RetryPolicy& policy, std::string key, Headers headers,
                  const StreamingLimits& limits)
      : client_(client),
        policy_(policy),
        key_(std::move(key)),
        headers_(std::move(headers)),
        part_size_(static_cast<size_t>(std::max<int64_t>(1, limits.part_size))),
        max_parts_(static_cast<size_t>(std::max<int64_t>(1, limits.max_parts))),
        in_flight_(static_cast<size_t>(std::max(1, limits.parts_in_flight)), [this](Result<std::string> etag) {
          if (!etag) return Status(make_error(etag.error()));
          etags_.push_back(std::move(*etag));  // collected in order: etags_[i] is part i + 1's
          return ok();
        }) {}

  // Parts still uploading reference this writer: they are waited for first.
  ~StreamingWriter() override {
    in_flight_.wait_all();
    if (upload_) upload_->abort();  // dropped uncommitted
  }

  Status write(std::string_view bytes) override {
    ASTACUS_CHECK(check_open());
    while (!bytes.empty()) {
      // A full part is sent only once more bytes follow it, so an object of exactly one part
      // stays a plain PUT and the last part of a multipart upload is never empty.
      if (part_.size() == part_size_) ASTACUS_CHECK(send_part(/*more_follows=*/true));
      if (part_.capacity() < part_size_) part_.reserve(part_size_);  // no growth by doubling
      size_t take = std::min(part_size_ - part_.size(), bytes.size());
      part_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
    }
    return ok();
  }

  Status commit() override {
    ASTACUS_CHECK(check_open());
    ASTACUS_CHECK(upload_ ? finish_multipart() : put_whole());
    committed_ = true;
    part_ = std::string();
    return ok();
  }

 private:
  Status check_open() const {
    if (error_) return make_error(*error_);  // a failed writer stays failed
    if (committed_) return errorf(ErrorCode::kInternal, "{}: object '{}' used after commit", client_.describe(), key_);
    return ok();
  }

  Status put_whole() {
    auto put = call(client_, policy_, Request{"PUT", key_, {}, headers_, part_});
    if (!put) return fail(put.error());
    return ok();
  }

  // Hands the filled part to a part upload, starting the multipart upload with the first one.
  // When more bytes follow, they need one more part: the limit is checked before sending this
  // one, so an object that cannot fit fails without uploading its last allowed part.
  Status send_part(bool more_follows) {
    size_t number = parts_sent_ + 1;
    if (number + (more_follows ? 1 : 0) > max_parts_) return fail(too_many_parts());
    if (!upload_) {
      auto started = MultipartUpload::start(client_, policy_, key_, headers_);
      if (!started) return fail(started.error());
      upload_.emplace(std::move(*started));
    }
    md5_.update(part_);
    Status started = in_flight_.start(std::exchange(part_, in_flight_.take_spare()),
                                      [this, number](std::string_view body) { return upload_->upload_part(number, body); });
    if (!started) return fail(started.error());
    ++parts_sent_;
    part_.clear();
    return ok();
  }

  Status finish_multipart() {
    ASTACUS_CHECK(send_part(/*more_follows=*/false));  // the last one
    Status parts = in_flight_.finish();
    if (!parts) return fail(parts.error());
    std::string whole_md5 = md5_.finish_hex();
    Status done = upload_->complete(etags_, [&] { return whole_md5; });
    if (!done) return fail(done.error());
    upload_.reset();  // completed: nothing to abort
    return ok();
  }

  // Records the failure, waits for the parts in flight (none may land after the abort), aborts.
  Status fail(Error error) {
    error_ = error;
    in_flight_.wait_all();
    if (upload_) upload_->abort();
    upload_.reset();
    part_ = std::string();
    return make_error(std::move(error));
  }

  Error too_many_parts() const {
    return Error{ErrorCode::kInvalidArgument,
                 fmt::format("{}: object '{}' is too large to stream: over {} parts of {} bytes ({} bytes); a "
                             "streamed upload cannot grow its parts since its size is not known in advance",
                             client_.describe(), key_, max_parts_, part_size_, max_parts_ * part_size_),
                 false};
  }

  Client& client_;
  RetryPolicy policy_;
  std::string key_;
  Headers headers_;
  size_t part_size_;
  size_t max_parts_;

  std::string part_;   // the part being filled
  std::optional<MultipartUpload> upload_;  // set from the first part until completed or aborted
  size_t parts_sent_ = 0;
  std::vector<std::string> etags_;
  Md5Hasher md5_;  // of the whole object, to recognise a Complete whose answer was lost
  std::optional<Error> error_;
  bool committed_ = false;
  PartsInFlight<Result<std::string>> in_flight_;  // last: destroyed first, waiting for its parts
};

std::optional<uint64_t> parse_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// "bytes 0-99/1234" → 1234; nullopt when malformed or "*".
std::optional<uint64_t> content_range_total(std::string_view value) {
  size_t slash = value.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_size(value.substr(slash + 1));
}

class RangeReader final : public RangedReader {
 public:
  RangeReader(Client& client, const RetryPolicy& policy, std::string key, uint64_t size, std::string etag,
              Metadata metadata, int64_t chunk_size)
      : RangedReader(size, static_cast<uint64_t>(std::max<int64_t>(1, chunk_size))),
        client_(client),
        policy_(policy),
        key_(std::move(key)),
        etag_(std::move(etag)),
        metadata_(std::move(metadata)) {}

  const Metadata& metadata() const override { return metadata_; }

 private:
  Result<std::string> fetch_range(uint64_t offset, uint64_t length) override {
    Headers headers = {{"range", fmt::format("bytes={}-{}", offset, offset + length - 1)}};
    if (!etag_.empty()) headers.emplace_back("if-match", etag_);  // S3 answers 412 once replaced
    Response response = ASTACUS_TRY(call(client_, policy_, Request{"GET", key_, {}, headers, {}}));
    ASTACUS_CHECK(check_same_version(response));
    if (response.body.size() != length) {
      return errorf(ErrorCode::kUnavailable, "{}: GET '{}' bytes {}-{}: answered {} bytes instead of {} (HTTP {})",
                    client_.describe(), key_, offset, offset + length - 1, response.body.size(), length,
                    response.status);
    }
    return std::move(response.body);
  }

  // For servers that ignore If-Match: the answer's ETag and total size must be the HEAD's.
  Status check_same_version(const Response& response) const {
    const std::string* etag = response.header("etag");
    const std::string* range = response.header("content-range");
    std::optional<uint64_t> total = range ? content_range_total(*range) : std::nullopt;
    bool etag_changed = etag && !etag_.empty() && *etag != etag_;
    bool size_changed = total && *total != size();
    if (!etag_changed && !size_changed) return ok();
    return errorf(ErrorCode::kConflict,
                  "{}: object '{}' changed while it was being read (ETag {}, {} bytes when opened; now ETag {}, "
                  "{} bytes)",
                  client_.describe(), key_, etag_, size(), etag ? *etag : "?",
                  total ? std::to_string(*total) : std::string("?"));
  }

  Client& client_;
  RetryPolicy policy_;
  std::string key_;
  std::string etag_;
  Metadata metadata_;
};

}  // namespace

std::unique_ptr<ObjectWriter> make_streaming_writer(Client& client, const RetryPolicy& policy, std::string key,
                                                    Headers headers, const StreamingLimits& limits) {
  return std::make_unique<StreamingWriter>(client, policy, std::move(key), std::move(headers), limits);
}

Result<std::unique_ptr<ObjectReader>> make_range_reader(Client& client, const RetryPolicy& policy, std::string key,
                                                        const Response& head, Metadata metadata,
                                                        int64_t chunk_size) {
  const std::string* length = head.header("content-length");
  std::optional<uint64_t> size = length ? parse_size(*length) : std::nullopt;
  if (!size) {
    return errorf(ErrorCode::kUnavailable, "{}: HEAD '{}': answer has no valid Content-Length", client.describe(),
                  key);
  }
  const std::string* etag = head.header("etag");
  return std::make_unique<RangeReader>(client, policy, std::move(key), *size, etag ? *etag : "", std::move(metadata),
                                       chunk_size);
}

}  // namespace astacus::storage::s3

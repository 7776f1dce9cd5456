// Streaming writer (chunks of a resumable upload sent as they fill) and ranged reader of GCS.
#include "storage/gcs/gcs_stream.h"

#include "storage/ranged_reader.h"

#include <algorithm>
#include <future>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "storage/gcs/gcs_upload.h"

namespace astacus::storage::gcs {

namespace {

class StreamingWriter final : public ObjectWriter {
 public:
  StreamingWriter(const Client& client, std::string name, Metadata metadata, size_t chunk_size)
      : client_(client),
        name_(std::move(name)),
        metadata_(std::move(metadata)),
        chunk_size_(chunk_size_of(chunk_size)) {}

  // A chunk in flight uses the session: it is waited for before the cancel.
  ~StreamingWriter() override {
    (void)wait_for_chunk_in_flight();
    if (session_) session_->cancel();  // dropped uncommitted
  }

  Status write(std::string_view bytes) override {
    ASTACUS_CHECK(check_open());
    while (!bytes.empty()) {
      // A full chunk goes out only once more bytes follow, so an object of exactly one chunk
      // stays a put() and the last chunk, sent at commit(), is never empty.
      if (filling_.size() == chunk_size_) ASTACUS_CHECK(send_filled_chunk());
      if (filling_.capacity() < chunk_size_) filling_.reserve(chunk_size_);  // no growth by doubling
      size_t take = std::min(chunk_size_ - filling_.size(), bytes.size());
      filling_.append(bytes.substr(0, take));
      bytes.remove_prefix(take);
    }
    return ok();
  }

  Status commit() override {
    ASTACUS_CHECK(check_open());
    Status stored = session_ ? finish_session() : put_whole();
    if (!stored) return fail(stored.error());
    committed_ = true;
    release_buffers();
    return ok();
  }

 private:
  Status check_open() const {
    if (error_) return make_error(*error_);  // a failed writer stays failed
    if (committed_) {
      return errorf(ErrorCode::kInternal, "object_storage.storages.{}: GCS object '{}' used after commit",
                    client_.options().site, name_);
    }
    return ok();
  }

  Status put_whole() {
    ResumableUpload upload(client_, name_, filling_, metadata_, chunk_size_);
    return upload.run();
  }

  // Hands the full chunk to a thread of its own; the first one opens the session. Chunks go out
  // one at a time, in order, as GCS takes them.
  Status send_filled_chunk() {
    Status ready = session_ ? wait_for_chunk_in_flight() : start_session();
    if (!ready) return fail(ready.error());
    crc_ = crc32c_extend(crc_, filling_);
    std::swap(sending_, filling_);  // the buffer of the chunk sent before is free again
    filling_.clear();
    UploadBytes chunk{sent_, sending_, std::nullopt, chunk_size_};
    sent_ += sending_.size();
    in_flight_ = std::async(std::launch::async, [this, chunk] { return send_intermediate(chunk); });
    return ok();
  }

  Status start_session() {
    session_.emplace(client_, name_, metadata_);
    return session_->start(std::nullopt);
  }

  // On the chunk's thread: the writer does not touch the session until it has waited for it.
  Status send_intermediate(const UploadBytes& chunk) {
    bool complete = ASTACUS_TRY(session_->send_all(chunk));
    if (!complete) return ok();
    return errorf(ErrorCode::kInternal, "object_storage.storages.{}: GCS completed the upload of '{}' before its "
                  "last chunk (at {} bytes)", client_.options().site, name_, chunk.end());
  }

  Status wait_for_chunk_in_flight() {
    if (!in_flight_.valid()) return ok();
    return in_flight_.get();
  }

  Status finish_session() {
    ASTACUS_CHECK(wait_for_chunk_in_flight());
    crc_ = crc32c_extend(crc_, filling_);
    uint64_t total = sent_ + filling_.size();
    ASTACUS_CHECK(session_->send_all(UploadBytes{sent_, filling_, total, chunk_size_}));  // complete or an error
    ASTACUS_CHECK(check_stored(*session_, total, crc32c_value_base64(crc_)));
    session_.reset();  // complete: nothing to cancel
    return ok();
  }

  // Records the failure, waits for the chunk in flight, cancels the session.
  Status fail(Error error) {
    error_ = error;
    (void)wait_for_chunk_in_flight();
    if (session_) session_->cancel();
    session_.reset();
    release_buffers();
    return make_error(std::move(error));
  }

  void release_buffers() {
    filling_ = std::string();
    sending_ = std::string();
  }

  const Client& client_;
  std::string name_;
  Metadata metadata_;
  size_t chunk_size_;

  std::string filling_;  // the chunk being filled
  std::string sending_;  // the chunk in flight (or the last one sent: its buffer is reused)
  std::optional<UploadSession> session_;  // from the first full chunk until complete or cancelled
  std::future<Status> in_flight_;
  uint64_t sent_ = 0;  // bytes handed to the session
  uint32_t crc_ = 0;   // CRC-32C of those bytes
  std::optional<Error> error_;
  bool committed_ = false;
};

class RangeReader final : public RangedReader {
 public:
  RangeReader(const Client& client, ObjectResource object, size_t chunk_size)
      : RangedReader(object.size, chunk_size),
        client_(client),
        object_(std::move(object)),
        context_(client.context("objects.get (media range)", object_.name, true)) {}

  const Metadata& metadata() const override { return object_.metadata; }

 private:
  Result<std::string> fetch_range(uint64_t offset, uint64_t length) override {
    HttpRequest request{"GET",
                        client_.urls().pinned_media(object_.name, object_.generation),
                        {{"Range", fmt::format("bytes={}-{}", offset, offset + length - 1)}},
                        {}};
    auto response = client_.call(request, context_);
    if (!response) {
      if (response.error().code == ErrorCode::kConflict) return make_error(changed(std::nullopt));
      return make_error(std::move(response).error());
    }
    ASTACUS_CHECK(check_same_generation(*response));
    ASTACUS_CHECK(check_length(*response, offset, length));
    crc_ = crc32c_extend(crc_, response->body);
    if (offset + length == object_.size) ASTACUS_CHECK(check_crc());
    return std::move(response->body);
  }

  // For servers that ignore ifGenerationMatch: the answer's generation must be the one opened.
  Status check_same_generation(const HttpResponse& response) const {
    std::string generation = response.header("x-goog-generation");
    if (generation.empty() || object_.generation.empty() || generation == object_.generation) return ok();
    return make_error(changed(generation));
  }

  Error changed(const std::optional<std::string>& now) const {
    return Error{ErrorCode::kConflict,
                 fmt::format("object_storage.storages.{}: GCS object '{}' in bucket '{}' changed while it was being "
                             "read (generation {} when opened{}; {} of {} bytes read)",
                             client_.options().site, object_.name, client_.options().bucket, object_.generation,
                             now ? ", now " + *now : std::string(), fetched(), object_.size),
                 false};
  }

  Status check_length(const HttpResponse& response, uint64_t offset, uint64_t length) const {
    if (response.body.size() == length) return ok();
    return errorf(ErrorCode::kUnavailable,
                  "object_storage.storages.{}: GCS answered the range {}-{} of '{}' with {} bytes instead of {} "
                  "(HTTP {})",
                  client_.options().site, offset, offset + length - 1, object_.name, response.body.size(), length,
                  response.status);
  }

  Status check_crc() const {
    std::string crc = crc32c_value_base64(crc_);
    if (object_.crc32c.empty() || object_.crc32c == crc) return ok();
    return errorf(ErrorCode::kCorruption,
                  "object_storage.storages.{}: GCS object '{}' generation {} was read with crc32c '{}', but its "
                  "resource says '{}'",
                  client_.options().site, object_.name, object_.generation, crc, object_.crc32c);
  }

  const Client& client_;
  ObjectResource object_;
  ErrorContext context_;
  uint32_t crc_ = 0;  // CRC-32C of the bytes fetched so far
};

}  // namespace

std::unique_ptr<ObjectWriter> make_streaming_writer(const Client& client, std::string name, Metadata metadata,
                                                    size_t chunk_size) {
  return std::make_unique<StreamingWriter>(client, std::move(name), std::move(metadata), chunk_size);
}

std::unique_ptr<ObjectReader> make_range_reader(const Client& client, ObjectResource object, size_t chunk_size) {
  return std::make_unique<RangeReader>(client, std::move(object), chunk_size);
}

}  // namespace astacus::storage::gcs

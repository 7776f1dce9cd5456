// The resumable upload protocol of the GCS JSON API, with resume after failures.
#include "storage/gcs/gcs_upload.h"

#include <algorithm>
#include <charconv>

#include "storage/gcs/gcs_resources.h"

namespace astacus::storage::gcs {

size_t chunk_size_of(size_t requested) { return std::max(kChunkQuantum, requested / kChunkQuantum * kChunkQuantum); }

Result<uint64_t> persisted_from_range(std::string_view range) {
  if (range.empty()) return uint64_t{0};
  constexpr std::string_view kStart = "bytes=0-";
  uint64_t last = 0;
  if (range.starts_with(kStart)) {
    std::string_view digits = range.substr(kStart.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), last);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) return last + 1;
  }
  return errorf(ErrorCode::kInvalidArgument, "unexpected Range header '{}' in a resumable upload answer", range);
}

std::string content_range(uint64_t offset, size_t size, uint64_t total) {
  if (size == 0) return fmt::format("bytes */{}", total);
  return fmt::format("bytes {}-{}/{}", offset, offset + size - 1, total);
}

ResumableUpload::ResumableUpload(const Client& client, std::string name, std::string_view data, Metadata metadata,
                                 size_t chunk_size)
    : client_(client),
      name_(std::move(name)),
      data_(data),
      metadata_(std::move(metadata)),
      chunk_size_(chunk_size_of(chunk_size)),
      context_(client.context("resumable upload", name_, false)) {}

Status ResumableUpload::start() {
  std::string body = ASTACUS_TRY(upload_resource(name_, metadata_));
  HttpRequest request{"POST",
                      client_.urls().resumable_upload(name_),
                      {{"Content-Type", "application/json; charset=UTF-8"},
                       {"X-Upload-Content-Type", "application/octet-stream"},
                       {"X-Upload-Content-Length", std::to_string(data_.size())}},
                      body};
  HttpResponse response = ASTACUS_TRY(client_.call(request, context_));
  session_ = response.header("Location");
  if (session_.empty()) {
    return errorf(ErrorCode::kUnavailable, "object_storage.storages.{}: GCS answered the start of the upload of "
                  "'{}' without a session URI (Location header)", client_.options().site, name_);
  }
  persisted_ = 0;
  complete_ = false;
  session_lost_ = false;
  return ok();
}

Result<bool> ResumableUpload::send_next_chunk() {
  const auto start = Clock::now();
  const RetryPolicy& policy = client_.options().retry;
  const auto deadline = start + policy.deadline;
  bool resync = false;
  for (int attempt = 1;; ++attempt) {
    auto sent = resync ? resync_then_put(deadline) : put_chunk(deadline);
    if (sent || !sent.error().retryable) return sent;
    resync = true;  // the connection may have died after the server kept some bytes
    auto wait = backoff_delay(policy, attempt);
    bool deadline_reached = Clock::now() + wait >= deadline;
    if (attempt >= policy.max_attempts || deadline_reached) {
      return make_error(gave_up(std::move(sent).error(), attempt, Clock::now() - start, deadline_reached));
    }
    std::this_thread::sleep_for(wait);
  }
}

Status ResumableUpload::run() {
  for (int session = 1;; ++session) {
    ASTACUS_CHECK(start());
    Status sent = send_all_chunks();
    if (sent || !session_lost_ || session > 1) return sent;
  }
}

Status ResumableUpload::send_all_chunks() {
  int stalls = 0;  // answers that accepted no new byte, in a row
  for (;;) {
    uint64_t before = persisted_;
    if (ASTACUS_TRY(send_next_chunk())) return ok();
    stalls = persisted_ > before ? 0 : stalls + 1;
    if (stalls >= client_.options().retry.max_attempts) {
      return errorf(ErrorCode::kUnavailable,
                    "object_storage.storages.{}: GCS accepted no new byte of '{}' in {} chunks (stuck at {} of {})",
                    client_.options().site, name_, stalls, persisted_, data_.size());
    }
  }
}

Result<bool> ResumableUpload::put_chunk(Clock::time_point deadline) {
  size_t size = static_cast<size_t>(std::min<uint64_t>(chunk_size_, data_.size() - persisted_));
  HttpRequest request{"PUT",
                      session_,
                      {{"Content-Range", content_range(persisted_, size, data_.size())}},
                      data_.substr(persisted_, size)};
  HttpResponse response = ASTACUS_TRY(client_.send_once(request, deadline, context_));
  return on_answer(response);
}

Result<bool> ResumableUpload::resync_then_put(Clock::time_point deadline) {
  HttpRequest status{"PUT", session_, {{"Content-Range", content_range(0, 0, data_.size())}}, {}};
  HttpResponse response = ASTACUS_TRY(client_.send_once(status, deadline, context_));
  if (ASTACUS_TRY(on_answer(response))) return true;
  return put_chunk(deadline);
}

Result<bool> ResumableUpload::on_answer(const HttpResponse& response) {
  if (response.status == 200 || response.status == 201) {
    ASTACUS_CHECK(check_final(response));
    persisted_ = data_.size();
    complete_ = true;
    return true;
  }
  if (response.status == 308) {
    uint64_t persisted = ASTACUS_TRY(persisted_from_range(response.header("Range")));
    if (persisted > data_.size()) {
      return errorf(ErrorCode::kInternal, "GCS says it has {} bytes of the {}-byte upload of '{}'", persisted,
                    data_.size(), name_);
    }
    persisted_ = persisted;
    return false;
  }
  if (response.status == 404 || response.status == 410) {
    session_lost_ = true;
    return errorf(ErrorCode::kUnavailable, "object_storage.storages.{}: GCS forgot the upload session of '{}' "
                  "(HTTP {}: {})", client_.options().site, name_, response.status, server_message(response.body));
  }
  return make_error(http_status_error(context_, response.status, server_message(response.body)));
}

Status ResumableUpload::check_final(const HttpResponse& response) const {
  ObjectResource object = ASTACUS_TRY(parse_object(response.body));
  bool crc_ok = object.crc32c.empty() || object.crc32c == crc32c_base64(data_);
  if (object.size == data_.size() && crc_ok) return ok();
  return errorf(ErrorCode::kCorruption,
                "object_storage.storages.{}: GCS stored '{}' with size {} crc32c '{}' but {} bytes with crc32c '{}' "
                "were sent",
                client_.options().site, name_, object.size, object.crc32c, data_.size(), crc32c_base64(data_));
}

}  // namespace astacus::storage::gcs

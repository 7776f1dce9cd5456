// The resumable upload protocol of the GCS JSON API, with resume after failures.
#include "storage/gcs/gcs_upload.h"

#include <algorithm>
#include <charconv>

#include <spdlog/spdlog.h>

namespace astacus::storage::gcs {

namespace {

// A cancel runs when a writer is dropped: it must not hold the caller for minutes.
constexpr std::chrono::seconds kCancelDeadline{30};

bool is_success(int status) { return status >= 200 && status < 300; }

// GCS answers a cancel with 499; a session already gone (404/410) is as good.
bool cancel_accepted(int status) { return status == 499 || status == 404 || status == 410 || is_success(status); }

}  // namespace

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

std::string content_range(uint64_t offset, size_t size, std::optional<uint64_t> total) {
  std::string of = total ? std::to_string(*total) : "*";
  if (size == 0) return fmt::format("bytes */{}", of);
  return fmt::format("bytes {}-{}/{}", offset, offset + size - 1, of);
}

// --- UploadSession --------------------------------------------------------------------------

UploadSession::UploadSession(const Client& client, std::string name, Metadata metadata)
    : client_(client),
      name_(std::move(name)),
      metadata_(std::move(metadata)),
      context_(client.context("resumable upload", name_, false)) {}

Status UploadSession::start(std::optional<uint64_t> total) {
  std::string body = ASTACUS_TRY(upload_resource(name_, metadata_));
  HttpHeaders headers = {{"Content-Type", "application/json; charset=UTF-8"},
                         {"X-Upload-Content-Type", "application/octet-stream"}};
  if (total) headers.emplace_back("X-Upload-Content-Length", std::to_string(*total));
  HttpRequest request{"POST", client_.urls().resumable_upload(name_), std::move(headers), body};
  HttpResponse response = ASTACUS_TRY(client_.call(request, context_));
  uri_ = response.header("Location");
  if (uri_.empty()) {
    return errorf(ErrorCode::kUnavailable, "object_storage.storages.{}: GCS answered the start of the upload of "
                  "'{}' without a session URI (Location header)", client_.options().site, name_);
  }
  persisted_ = 0;
  complete_ = false;
  lost_ = false;
  cancelled_ = false;
  final_object_ = ObjectResource{};
  return ok();
}

Result<bool> UploadSession::send_chunk(const UploadBytes& bytes) {
  const auto start = Clock::now();
  const RetryPolicy& policy = client_.options().retry;
  const auto deadline = start + policy.deadline;
  bool resync = false;
  for (int attempt = 1;; ++attempt) {
    auto sent = resync ? resync_then_put(bytes, deadline) : put_rest(bytes, deadline);
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

Result<bool> UploadSession::send_all(const UploadBytes& bytes) {
  // The last bytes must also complete the object (an empty object is a status query only).
  const bool last = bytes.total && bytes.end() == *bytes.total;
  int stalls = 0;  // answers that accepted no new byte, in a row
  while (!complete_ && (persisted_ < bytes.end() || last)) {
    if (persisted_ < bytes.offset) {
      return make_error(ErrorCode::kUnavailable,
                        fmt::format("object_storage.storages.{}: GCS has only {} bytes of the upload of '{}' "
                                    "although {} were confirmed before; the upload must start over",
                                    client_.options().site, persisted_, name_, bytes.offset),
                        true);
    }
    uint64_t before = persisted_;
    ASTACUS_CHECK(send_chunk(bytes));
    stalls = persisted_ > before ? 0 : stalls + 1;
    if (!complete_ && stalls >= client_.options().retry.max_attempts) return make_error(stalled(bytes, stalls));
  }
  return complete_;
}

Error UploadSession::stalled(const UploadBytes& bytes, int stalls) const {
  return Error{ErrorCode::kUnavailable,
               fmt::format("object_storage.storages.{}: GCS accepted no new byte of '{}' in {} chunks (stuck at {} "
                           "of {})",
                           client_.options().site, name_, stalls, persisted_, bytes.end()),
               false};
}

void UploadSession::cancel() {
  if (uri_.empty() || complete_ || cancelled_) return;
  cancelled_ = true;
  RetryPolicy policy = client_.options().retry;
  policy.max_attempts = std::min(policy.max_attempts, 2);
  policy.deadline = std::min<std::chrono::milliseconds>(policy.deadline, kCancelDeadline);
  HttpRequest request{"DELETE", uri_, {{"Content-Length", "0"}}, {}};
  auto cancelled = with_retries(policy, [&](Clock::time_point deadline) -> Result<HttpResponse> {
    HttpResponse response = ASTACUS_TRY(client_.send_once(request, deadline, context_));
    if (cancel_accepted(response.status)) return response;
    return make_error(http_status_error(context_, response.status, server_message(response.body)));
  });
  if (!cancelled) {
    spdlog::warn("cancelling the upload session of '{}' failed (GCS drops it after a week): {}", name_,
                 cancelled.error().message);
  }
}

Result<bool> UploadSession::put_rest(const UploadBytes& bytes, Clock::time_point deadline) {
  if (persisted_ < bytes.offset || persisted_ > bytes.end()) return false;  // the caller decides
  std::string_view rest = bytes.bytes.substr(persisted_ - bytes.offset, bytes.max_request);
  // With nothing left, only the last bytes need a request (a status query that completes them).
  bool last = bytes.total && bytes.end() == *bytes.total;
  if (rest.empty() && !last) return false;
  HttpRequest request{"PUT", uri_, {{"Content-Range", content_range(persisted_, rest.size(), bytes.total)}}, rest};
  HttpResponse response = ASTACUS_TRY(client_.send_once(request, deadline, context_));
  return on_answer(response, bytes.end());
}

Result<bool> UploadSession::resync_then_put(const UploadBytes& bytes, Clock::time_point deadline) {
  HttpRequest status{"PUT", uri_, {{"Content-Range", content_range(0, 0, bytes.total)}}, {}};
  HttpResponse response = ASTACUS_TRY(client_.send_once(status, deadline, context_));
  if (ASTACUS_TRY(on_answer(response, bytes.end()))) return true;
  return put_rest(bytes, deadline);
}

Result<bool> UploadSession::on_answer(const HttpResponse& response, uint64_t sent_end) {
  if (response.status == 200 || response.status == 201) {
    final_object_ = ASTACUS_TRY(parse_object(response.body));
    persisted_ = final_object_.size;
    complete_ = true;
    return true;
  }
  if (response.status == 308) {
    uint64_t persisted = ASTACUS_TRY(persisted_from_range(response.header("Range")));
    if (persisted > sent_end) {
      return errorf(ErrorCode::kInternal, "GCS says it has {} bytes of the upload of '{}', but only {} were sent",
                    persisted, name_, sent_end);
    }
    persisted_ = persisted;
    return false;
  }
  if (response.status == 404 || response.status == 410) {
    lost_ = true;
    return errorf(ErrorCode::kUnavailable, "object_storage.storages.{}: GCS forgot the upload session of '{}' "
                  "(HTTP {}: {})", client_.options().site, name_, response.status, server_message(response.body));
  }
  return make_error(http_status_error(context_, response.status, server_message(response.body)));
}

Status check_stored(const UploadSession& session, uint64_t size, const std::string& crc32c) {
  const ObjectResource& object = session.final_object();
  bool crc_ok = object.crc32c.empty() || object.crc32c == crc32c;
  if (object.size == size && crc_ok) return ok();
  return errorf(ErrorCode::kCorruption,
                "object_storage.storages.{}: GCS stored '{}' with size {} crc32c '{}' but {} bytes with crc32c '{}' "
                "were sent",
                session.client().options().site, session.name(), object.size, object.crc32c, size, crc32c);
}

// --- ResumableUpload ------------------------------------------------------------------------

ResumableUpload::ResumableUpload(const Client& client, std::string name, std::string_view data, Metadata metadata,
                                 size_t chunk_size)
    : session_(client, std::move(name), std::move(metadata)), data_(data), chunk_size_(chunk_size_of(chunk_size)) {}

Status ResumableUpload::start() { return session_.start(data_.size()); }

Result<bool> ResumableUpload::send_next_chunk() {
  bool done = ASTACUS_TRY(session_.send_chunk(whole()));
  if (done) ASTACUS_CHECK(check_final());
  return done;
}

Status ResumableUpload::run() {
  for (int session = 1;; ++session) {
    ASTACUS_CHECK(start());
    auto sent = session_.send_all(whole());  // the whole object: complete, or an error
    if (sent) return check_final();
    if (!session_.lost() || session > 1) return make_error(std::move(sent).error());
  }
}

Status ResumableUpload::check_final() const { return check_stored(session_, data_.size(), crc32c_base64(data_)); }

}  // namespace astacus::storage::gcs

#pragma once
// Resumable uploads (the GCS JSON API's uploadType=resumable). UploadSession holds the steps of
// one upload, shared by put() (ResumableUpload: the whole object in memory) and the streaming
// writer (gcs_stream.h: chunks sent as they fill):
//   start()  POST with the object resource (name + metadata) opens a session, whose URI is the
//            answer's Location header (X-Upload-Content-Length when the size is known).
//   send_*() PUTs of bytes with "Content-Range: bytes A-B/TOTAL", or "bytes A-B/*" while the size
//            is unknown; every chunk but the last is a multiple of 256 KiB. The server answers
//            308 + Range while the upload is incomplete (it may keep fewer bytes than were sent)
//            and 200/201 + the object resource once the last byte is in; only then is the object
//            visible. After a dropped connection or a retryable status the session asks the server
//            what it has (PUT with "bytes */TOTAL" or "bytes */*") and resends from there.
//   cancel() DELETE of the session URI (GCS answers 499); the server then refuses the session.
// The caller checks the final object's size and crc32c against the bytes it sent.
// Not thread-safe: a session belongs to one thread at a time.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/gcs/gcs_client.h"
#include "storage/gcs/gcs_resources.h"

namespace astacus::storage::gcs {

inline constexpr size_t kChunkQuantum = 256 * 1024;

/// `requested` rounded down to a multiple of 256 KiB (at least 256 KiB).
size_t chunk_size_of(size_t requested);

/// The byte count a 308 answer's Range header ("bytes=0-N") says the server has: N + 1, or 0
/// when there is no Range header. InvalidArgument when it cannot be parsed.
Result<uint64_t> persisted_from_range(std::string_view range);

/// "bytes A-B/TOTAL" for `size` bytes at `offset`, or "bytes */TOTAL" when `size` is 0; the
/// total is "*" while it is unknown (nullopt).
std::string content_range(uint64_t offset, size_t size, std::optional<uint64_t> total);

/// Bytes of the object to send: `bytes` are the object's bytes from `offset`.
struct UploadBytes {
  uint64_t offset = 0;
  std::string_view bytes;
  std::optional<uint64_t> total;  // the object's size, once known
  size_t max_request = std::numeric_limits<size_t>::max();  // bytes per PUT (256 KiB multiples)

  uint64_t end() const { return offset + bytes.size(); }
};

class UploadSession {
 public:
  /// `client` must outlive the session.
  UploadSession(const Client& client, std::string name, Metadata metadata);

  /// Opens a session (retried like any request); `total` is the object's size when known.
  Status start(std::optional<uint64_t> total);
  /// One PUT of what the server lacks of `bytes` (from persisted(), at most max_request bytes),
  /// resent from what the server has after failures, within the retry policy. True once the
  /// object is complete (final_object() is then its resource). When the server's offset is not
  /// within `bytes`, nothing is sent: false.
  Result<bool> send_chunk(const UploadBytes& bytes);
  /// send_chunk() until the server has every byte of `bytes` or the object is complete; an
  /// upload that stops advancing, or a server that lost bytes before `bytes`, is an error.
  Result<bool> send_all(const UploadBytes& bytes);
  /// DELETE of the session, best effort (a failure is logged; GCS forgets the session after a
  /// week anyway). Nothing when no session is open, the object is complete or it was cancelled.
  void cancel();

  /// Bytes the server has confirmed.
  uint64_t persisted() const { return persisted_; }
  bool complete() const { return complete_; }
  /// The server forgot the session (404/410).
  bool lost() const { return lost_; }
  const ObjectResource& final_object() const { return final_object_; }
  const std::string& name() const { return name_; }
  const Client& client() const { return client_; }

 private:
  Result<bool> put_rest(const UploadBytes& bytes, Clock::time_point deadline);
  Result<bool> resync_then_put(const UploadBytes& bytes, Clock::time_point deadline);
  /// Applies a chunk or status answer: true when complete, false after a 308.
  Result<bool> on_answer(const HttpResponse& response, uint64_t sent_end);
  Error stalled(const UploadBytes& bytes, int stalls) const;

  const Client& client_;
  std::string name_;
  Metadata metadata_;
  ErrorContext context_;
  std::string uri_;  // "" until started
  uint64_t persisted_ = 0;
  bool complete_ = false;
  bool lost_ = false;
  bool cancelled_ = false;
  ObjectResource final_object_;
};

/// The Error for a completed upload whose stored size or crc32c differs from what was sent
/// (ok when they match; an empty stored crc32c is not checked).
Status check_stored(const UploadSession& session, uint64_t size, const std::string& crc32c);

/// put(): one object in memory, uploaded in chunks of `chunk_size` with its size known.
class ResumableUpload {
 public:
  /// `data` and `client` must outlive the upload. `chunk_size` goes through chunk_size_of().
  ResumableUpload(const Client& client, std::string name, std::string_view data, Metadata metadata,
                  size_t chunk_size);

  /// Opens a session (retried like any request).
  Status start();
  /// Sends the chunk at the server's offset, resuming after failures within the retry policy.
  /// Returns true once the object is complete (and checked).
  Result<bool> send_next_chunk();
  /// start() and chunks until the object is complete. A session the server forgot (404/410)
  /// is started over once.
  Status run();

  /// Bytes the server has confirmed.
  uint64_t persisted() const { return session_.persisted(); }
  bool complete() const { return session_.complete(); }

 private:
  UploadBytes whole() const { return {0, data_, data_.size(), chunk_size_}; }
  Status check_final() const;

  UploadSession session_;
  std::string_view data_;
  size_t chunk_size_;
};

}  // namespace astacus::storage::gcs

#pragma once
// One resumable upload (the GCS JSON API's uploadType=resumable): start() opens a session with
// the object resource (name + metadata), then the bytes go in chunks (a multiple of 256 KiB,
// except the last) with Content-Range. The server answers 308 + Range for an incomplete upload
// and 200/201 + the object resource once the last byte is in; only then is the object visible.
// After a dropped connection or a retryable status the upload asks the server what it has
// (PUT with "Content-Range: bytes */TOTAL") and resumes from there. The final object's size and
// crc32c are checked against the data. Not thread-safe: one upload belongs to one thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/gcs/gcs_client.h"

namespace astacus::storage::gcs {

inline constexpr size_t kChunkQuantum = 256 * 1024;

/// `requested` rounded down to a multiple of 256 KiB (at least 256 KiB).
size_t chunk_size_of(size_t requested);

/// The byte count a 308 answer's Range header ("bytes=0-N") says the server has: N + 1, or 0
/// when there is no Range header. InvalidArgument when it cannot be parsed.
Result<uint64_t> persisted_from_range(std::string_view range);

/// "bytes A-B/TOTAL" for `size` bytes at `offset`, or "bytes */TOTAL" when `size` is 0.
std::string content_range(uint64_t offset, size_t size, uint64_t total);

class ResumableUpload {
 public:
  /// `data` and `client` must outlive the upload. `chunk_size` goes through chunk_size_of().
  ResumableUpload(const Client& client, std::string name, std::string_view data, Metadata metadata,
                  size_t chunk_size);

  /// Opens a session (retried like any request).
  Status start();
  /// Sends the chunk at the server's offset, resuming after failures within the retry policy.
  /// Returns true once the object is complete.
  Result<bool> send_next_chunk();
  /// start() and chunks until the object is complete. A session the server forgot (404/410)
  /// is started over once.
  Status run();

  /// Bytes the server has confirmed.
  uint64_t persisted() const { return persisted_; }
  bool complete() const { return complete_; }

 private:
  /// Chunks until complete; an upload that stops advancing is an error.
  Status send_all_chunks();
  Result<bool> put_chunk(Clock::time_point deadline);
  Result<bool> resync_then_put(Clock::time_point deadline);
  /// Applies a chunk or status answer: true when complete, false after a 308.
  Result<bool> on_answer(const HttpResponse& response);
  Status check_final(const HttpResponse& response) const;

  const Client& client_;
  std::string name_;
  std::string_view data_;
  Metadata metadata_;
  size_t chunk_size_;
  ErrorContext context_;
  std::string session_;
  uint64_t persisted_ = 0;
  bool complete_ = false;
  bool session_lost_ = false;
};

}  // namespace astacus::storage::gcs

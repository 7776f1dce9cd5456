#pragma once
// Private to the snapshot layer: reads the content of new/changed files in a small thread pool.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "snapshot/snapshot_db.h"
#include "snapshot/snapshotter.h"

namespace astacus::snapshot::internal {

struct HashJob {
  FileRow row;                 // size/mtime/inode set; content filled in by hash_jobs()
  bool embed = false;          // store the bytes instead of the digest
  bool vanished = false;       // set when `path` disappeared before it could be read
  bool done = false;           // read (or found vanished) already: hash_jobs() skips it
  FileIdentity identity;       // of `path` as it was read (see Snapshotter::vouched_identity)
  int64_t identity_taken_at_ns = 0;
};

/// Reads every job's file, `base` / its relative path (the link copies, or the sources in
/// same-root mode and scans: a path per job, ~110 bytes, would be built for each of a million
/// new files at once), biggest first, `threads` at a time, at most row.file.file_size bytes each.
/// A file that turns out shorter is recorded with the bytes actually read. Stops at the first
/// error, or with Cancelled when `cancelled` says so. Adds to stats.files_hashed/bytes_hashed.
/// `sink` (may be null) is offered the small files read (see ContentSink).
Status hash_jobs(std::vector<HashJob>& jobs, const std::filesystem::path& base, int threads, const CancelFn& cancelled,
                 const ProgressFn& progress, SnapshotStats& stats, const ContentSink* sink = nullptr);

/// Reads small jobs on one background thread while the visit that makes them still runs: linking
/// new files keeps one core busy, the other would idle (a node linking 100k new files spent
/// ~1.4 s so, then ~0.9 s hashing them). Jobs from index `first` on are read as publish() makes
/// them visible; `jobs` must not reallocate meanwhile (the caller reserved it). Jobs over
/// kMaxEarlyBytes are left to hash_jobs(), which reads the big ones first so that no big file is
/// read alone at the end. finish() (or the destructor) stops it; the jobs it read are `done`.
class EarlyHasher {
 public:
  static constexpr int64_t kMaxEarlyBytes = int64_t{1} << 20;

  EarlyHasher(std::vector<HashJob>& jobs, size_t first, std::filesystem::path base, const CancelFn& cancelled,
              const ContentSink* sink = nullptr);
  ~EarlyHasher();
  EarlyHasher(const EarlyHasher&) = delete;
  EarlyHasher& operator=(const EarlyHasher&) = delete;

  /// jobs[first, count) are complete and may be read.
  void publish(size_t count);
  /// Jobs it is through with (read, vanished, failed, or left for being big), from `first` on.
  size_t passed() const { return passed_.load(std::memory_order_acquire); }
  /// Reads no more jobs, waits for the one being read, and returns the first error (a file
  /// that cannot be read; a vanished one is not an error).
  Status finish();

 private:
  void run();

  std::vector<HashJob>& jobs_;
  const size_t first_;
  const std::filesystem::path base_;
  const CancelFn cancelled_;  // a copy: callers may pass a temporary (nullptr)
  const ContentSink* const sink_;
  std::mutex mu_;
  std::condition_variable wake_;
  size_t published_;  // guarded by mu_
  bool stopping_ = false;
  bool waiting_ = false;
  std::optional<Error> error_;
  std::atomic<size_t> passed_{0};
  std::thread thread_;  // last: starts once the rest is set up
};

}  // namespace astacus::snapshot::internal

#pragma once
// Private to the snapshot layer: reads the content of new/changed files in a small thread pool.

#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "snapshot/snapshot_db.h"
#include "snapshot/snapshotter.h"

namespace astacus::snapshot::internal {

struct HashJob {
  FileRow row;                 // size/mtime/inode set; content filled in by hash_jobs()
  bool embed = false;          // store the bytes instead of the digest
  bool vanished = false;       // set when `path` disappeared before it could be read
  FileIdentity identity;       // of `path` as it was read (see Snapshotter::vouched_identity)
  int64_t identity_taken_at_ns = 0;
};

/// Reads every job's file, `base` / its relative path (the link copies, or the sources in
/// same-root mode and scans: a path per job, ~110 bytes, would be built for each of a million
/// new files at once), biggest first, `threads` at a time, at most row.file.file_size bytes each.
/// A file that turns out shorter is recorded with the bytes actually read. Stops at the first
/// error, or with Cancelled when `cancelled` says so. Adds to stats.files_hashed/bytes_hashed.
Status hash_jobs(std::vector<HashJob>& jobs, const std::filesystem::path& base, int threads, const CancelFn& cancelled,
                 const ProgressFn& progress, SnapshotStats& stats);

}  // namespace astacus::snapshot::internal

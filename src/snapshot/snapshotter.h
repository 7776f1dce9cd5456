#pragma once
// The node's snapshot of one file tree (spec §6.2, §6.3): hard-link copies of the selected files
// in a link directory plus a persistent SQLite record of each file's size, mtime, inode and
// content (BLAKE2s-256 digest, or the bytes themselves for small "embedded" files).
//
// Differences from Python Astacus (deliberate fixes, spec §13):
//  * item 16: the DB persists across restarts; an unchanged tree is not re-hashed after a
//    restart, and link-directory files that the DB does not know are removed by each snapshot.
//  * item 25: a file whose link copy is missing (after release(), or removed by hand) is
//    re-linked by the next snapshot, without re-hashing when its (size, mtime_ns, inode) is
//    unchanged, so an upload always finds a candidate.
//  * change detection compares (size, mtime_ns, inode), not only (size, mtime_ns).
//
// Same-root mode (link_root == root): no links are made; hashing reads the source files, and
// release() deletes the source files (as Python does; used for Cassandra incremental backups).
//
// Thread-safety: callers serialise snapshot() and release() (the node holds one mutex per
// snapshotter). The const readers may run concurrently with each other and with a running
// snapshot()/release(); they see the last committed state.
//
// The link directory should belong to this Snapshotter alone. Each snapshot deletes the regular
// files in it that the DB does not record (stale copies), except the DB's own files, but only while
// the owners file `<link_root>/.astacus-snapshotter-owners` lists no other DB: every open() adds
// its DB path there, so a link directory shared with another Snapshotter (e.g. the delta one, see
// spec §13 item 27) is never cleaned (a warning is logged instead).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/files.h"
#include "base/result.h"
#include "manifest/types.h"
#include "snapshot/glob.h"

namespace astacus::snapshot {

namespace internal {
class SnapshotDb;
struct HashJob;
}

/// Counters of the last snapshot() call (for logs, metrics and tests).
struct SnapshotStats {
  int64_t files = 0;                // files in the snapshot
  int64_t files_linked = 0;         // link copies (re)created
  int64_t files_hashed = 0;         // files whose content was read (hashed or embedded)
  int64_t bytes_hashed = 0;         // bytes read for them
  int64_t files_removed = 0;        // DB rows dropped (file gone or no longer selected)
  int64_t stale_links_removed = 0;  // unknown files deleted from the link directory
};

/// Returns true when the operation should stop. May be called from hashing threads.
using CancelFn = std::function<bool()>;
/// Hashing progress in bytes (handled, total); called from hashing threads, one call at a time.
using ProgressFn = std::function<void(int64_t handled, int64_t total)>;

/// Takes the bytes of small files that a snapshot reads for their digest, so that the node can
/// store them without reading them a second time (node/eager_blobs.h). Only files of at most
/// `max_bytes`, not embedded, whose mtime was settled when they were read (see
/// vouched_identity), are offered. `take` runs on the reading threads, several at once, and
/// owns its failures: the snapshot neither waits for what it stores nor fails with it.
struct ContentSink {
  int64_t max_bytes = 0;
  std::function<void(const std::string& hexdigest, std::string_view bytes)> take;
};

class Snapshotter {
 public:
  /// Opens (or creates) the DB `db_file` for the tree `root`, linking into `link_root`.
  /// `link_root == root` selects same-root mode. `link_root` must not contain `root`; when it lies
  /// inside `root` it is never walked as source. `hash_threads` is clamped to [1, 64].
  static Result<std::unique_ptr<Snapshotter>> open(std::filesystem::path root,
                                                   std::filesystem::path link_root,
                                                   std::filesystem::path db_file, int hash_threads);
  ~Snapshotter();

  /// Brings the link directory and the DB in line with the files of `root` selected by `groups`
  /// and returns them sorted by relative path (byte order). Steps: walk (directories named
  /// ".astacus" and the link directory skipped; only regular files, symlinks ignored) → drop rows
  /// and link copies of files no longer selected → re-link new/changed files (files vanishing
  /// meanwhile are skipped with a warning) → read new/changed files from their link copy, at most
  /// the recorded size, biggest first in `hash_threads` threads: embedded (base64) iff the groups'
  /// limit is null or size <= limit, else BLAKE2s-256 → commit in one transaction → delete
  /// unknown files from the link directory.
  /// Errors: InvalidArgument when groups disagree on a file's embedding limit (naming the file),
  /// Cancelled, IoError. A failed or cancelled snapshot leaves a consistent DB: the next snapshot
  /// redoes whatever was not committed.
  /// `sink`, when given, is offered the small files read (see ContentSink).
  Result<std::vector<manifest::SnapshotFile>> snapshot(const std::vector<SnapshotGroup>& groups,
                                                       const CancelFn& cancelled = {},
                                                       const ProgressFn& progress = {},
                                                       const ContentSink* sink = nullptr);

  /// What `root` holds now for `groups`, like snapshot() returns it, but read-only: neither the
  /// DB nor the link directory changes. Files whose (size, mtime_ns, inode) match their DB row
  /// reuse its digest; others are read from the root. A restore uses this to find the files it
  /// can keep, without relinking (or unlinking) a whole tree it is about to replace; the next
  /// snapshot() brings the link directory up to date.
  Result<std::vector<manifest::SnapshotFile>> scan(const std::vector<SnapshotGroup>& groups,
                                                   const CancelFn& cancelled = {});

  /// Unlinks the link copies of every file with one of these hexdigests ("" is ignored). The rows
  /// stay, and the next snapshot re-links the files (without re-hashing unchanged ones). Missing
  /// copies are not an error; other unlink failures are reported after trying all files.
  Status release(const std::vector<std::string>& hexdigests);

  /// The current DB state, sorted by relative path.
  Result<std::vector<manifest::SnapshotFile>> files() const;
  /// Calls `f(relative_path, hexdigest)` for each file of the DB (hexdigest empty for embedded
  /// files), in no particular order, without building the list (uploads keep a few of them).
  Status for_each_digest(const std::function<void(std::string_view, const manifest::Hexdigest&)>& f) const;
  /// Relative paths (sorted) of the files with this hexdigest; empty for "".
  Result<std::vector<std::string>> paths_with_hexdigest(const std::string& hexdigest) const;
  Result<std::optional<manifest::SnapshotFile>> find(const std::string& relative_path) const;
  /// The identity (base/files.h) the link copy of `relative_path` had when this process read it
  /// and found `hexdigest`, for files of at least kVouchMinSize whose mtime was settled then.
  /// While the copy still shows this identity its bytes are the ones hashed, so an upload may
  /// skip hashing them again (it checks the identity before and after reading). Kept in memory
  /// only: after a restart, uploads hash again.
  std::optional<FileIdentity> vouched_identity(std::string_view relative_path,
                                              const manifest::Hexdigest& hexdigest) const;
  static constexpr int64_t kVouchMinSize = 64 * 1024;  // smaller files: hashing costs little

  /// Where the link copy of `relative_path` lives (the source itself in same-root mode).
  /// InvalidArgument for paths that confine() refuses.
  Result<std::filesystem::path> link_path(std::string_view relative_path) const;

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& link_root() const { return link_root_; }
  bool same_root() const { return same_root_; }
  SnapshotStats last_stats() const;

  /// When a snapshot's walks may start settling files against the DB rows. Normally whenever the
  /// rows are loaded (the walks and the load run at once); tests pin the two extremes, as the
  /// outcome must not depend on it.
  enum class RowsTiming { kWhenLoaded, kBeforeWalks, kAfterWalks };
  void set_rows_timing_for_tests(RowsTiming timing) { rows_timing_ = timing; }

 private:
  Snapshotter(std::filesystem::path root, std::filesystem::path link_root,
              std::filesystem::path db_file, int hash_threads,
              std::unique_ptr<internal::SnapshotDb> db);
  /// True when the owners file lists this DB only (re-created if it vanished), so stale link
  /// copies may be deleted.
  bool claim_link_root();

  struct Run;  // the state of one snapshot() call; snapshotter.cc

  std::filesystem::path root_;
  std::filesystem::path link_root_;
  std::filesystem::path db_file_;
  bool same_root_;
  int hash_threads_;
  std::unique_ptr<internal::SnapshotDb> db_;
  std::string link_rel_in_root_;                // link_root below root: not walked as source
  std::vector<std::string> db_rels_in_root_;    // the DB's files below root: not snapshotted
  std::vector<std::string> db_rels_in_link_;    // the DB's files below link_root: never cleaned
  RowsTiming rows_timing_ = RowsTiming::kWhenLoaded;
  mutable std::mutex stats_mu_;
  SnapshotStats last_stats_;
  struct Vouch {
    manifest::Hexdigest hexdigest;
    FileIdentity identity;
  };
  mutable std::mutex vouch_mu_;
  std::unordered_map<std::string, Vouch> vouches_;  // by relative path
  void record_vouches(const std::vector<internal::HashJob>& jobs);
  void forget_vouches_not_in(const std::vector<manifest::SnapshotFile>& files);  // gone or changed
};

}  // namespace astacus::snapshot

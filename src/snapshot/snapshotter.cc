#include "snapshot/snapshotter.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <limits>
#include <unordered_set>

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "base/files.h"
#include "base/paths.h"
#include "snapshot/hash_jobs.h"
#include "snapshot/link_dir.h"
#include "snapshot/link_index.h"
#include "snapshot/row_index.h"
#include "snapshot/snapshot_db.h"
#include "snapshot/walk.h"

namespace astacus::snapshot {

namespace fs = std::filesystem;
using internal::FileRow;
using internal::FileStat;
using internal::HashJob;

namespace {

constexpr std::string_view kOwnersFile = ".astacus-snapshotter-owners";
constexpr const char* kDbSuffixes[] = {"", "-wal", "-shm", "-journal"};

// Absolute, symlink-resolved (as far as it exists), without a trailing slash.
fs::path normalize(const fs::path& p) {
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  if (ec) abs = p;
  fs::path canon = fs::weakly_canonical(abs, ec);
  if (ec) canon = abs.lexically_normal();
  if (!canon.has_filename() && canon != canon.root_path()) canon = canon.parent_path();
  return canon;
}

// "" when `path` == `dir`, its '/'-separated relative path when below `dir`, else nullopt.
std::optional<std::string> relative_below(const fs::path& path, const fs::path& dir) {
  fs::path rel = path.lexically_relative(dir);
  if (rel.empty()) return std::nullopt;
  std::string s = rel.generic_string();
  if (s == ".") return std::string();
  if (s == ".." || s.starts_with("../")) return std::nullopt;
  return s;
}

std::vector<std::string> db_rels_below(const fs::path& db_file, const fs::path& dir) {
  std::vector<std::string> out;
  auto rel = relative_below(db_file, dir);
  if (!rel || rel->empty()) return out;
  for (const char* suffix : kDbSuffixes) out.push_back(*rel + suffix);
  return out;
}

Result<std::vector<std::string>> read_owners(const fs::path& link_root) {
  auto text = read_file(link_root / kOwnersFile);
  std::vector<std::string> owners;
  if (!text) {
    if (text.error().code == ErrorCode::kNotFound) return owners;
    return make_error(text.error());
  }
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    if (end > start) owners.push_back(text->substr(start, end - start));
    start = end + 1;
  }
  return owners;
}

Status register_owner(const fs::path& link_root, const std::string& db) {
  auto owners = ASTACUS_TRY(read_owners(link_root));
  if (std::find(owners.begin(), owners.end(), db) != owners.end()) return ok();
  owners.push_back(db);
  if (owners.size() > 1) {
    spdlog::warn("link directory '{}' is shared by snapshot DBs {}; its stale files will not be "
                 "cleaned (give each snapshotter its own link directory)",
                 link_root.string(), owners);
  }
  return write_file_atomic(link_root / kOwnersFile, fmt::format("{}\n", fmt::join(owners, "\n")));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// One snapshot() call.

struct Snapshotter::Run {
  // 64 bytes plus the path, for each walked file its DB row does not settle.
  struct Candidate {
    static constexpr int64_t kVanished = -1;     // stat.size of a file gone before its stat
    static constexpr int64_t kAlwaysEmbed = std::numeric_limits<int64_t>::min();  // no limit
    std::string rel;
    FileStat stat;      // taken during the walk
    int64_t embed_max;  // GroupMatch::embed_max, kAlwaysEmbed for nullopt

    bool vanished() const { return stat.size == kVanished; }
    bool embeds(int64_t size) const { return embed_max == kAlwaysEmbed || size <= embed_max; }
  };

  static constexpr size_t kNoRow = internal::RowIndex::kNone;
  static constexpr int64_t kNoCopy = internal::RowIndex::kNoCopy;
  static_assert(kNoCopy == internal::LinkIndex::kVisited, "visit() reads either as 'no copy'");

  Snapshotter& self;
  const CancelFn& cancelled;
  internal::LinkDir links;
  const ContentSink* sink = nullptr;  // snapshot() only; scan() stores nothing
  SnapshotStats stats;
  std::optional<CompiledGroups> compiled;  // set by collect()
  // The walked files the DB rows do not settle (new, changed, or met before the rows were read),
  // sorted once the walk ends.
  std::vector<Candidate> candidates;
  internal::RowIndex rows;  // DB rows: held, kept unchanged, or dropped
  // Set once `rows` is loaded: from then on each walk settles what it meets against the rows on
  // its own thread (rows_seen_by_*: each walk's own view, so it catches up once).
  std::atomic<bool> rows_ready{false};
  bool rows_seen_by_walk = false;
  bool rows_seen_by_link_walk = false;
  std::vector<std::string> removed;  // rows to delete
  std::vector<HashJob> jobs;         // new or changed files
  // Link copies without a DB row (all of them until the rows are loaded), marked as visited.
  internal::LinkIndex link_copies;

  bool is_cancelled() const { return cancelled && cancelled(); }

  // Whether a walk may use `rows` yet; the first time it may, `catch_up` settles what that walk
  // kept before.
  template <class F>
  bool rows_visible(bool& seen, F&& catch_up) {
    if (seen) return true;
    if (!rows_ready.load(std::memory_order_acquire)) return false;
    seen = true;
    catch_up();
    return true;
  }

  // Whether the walked file `c` still matches its row: the row is marked seen (unchanged or not),
  // and an unchanged file needs no candidate. Walk thread.
  bool settled(const Candidate& c) {
    size_t row = rows.find(c.rel);
    if (row == kNoRow) return false;
    bool same = !c.vanished() && unchanged(row, c, c.stat);
    rows.mark_seen(row, same);
    return same;
  }

  // Whether the link copy `rel` has a row, which then keeps the copy's inode. Link-walk thread.
  bool settled_link(const std::string& rel, int64_t entry_inode) {
    size_t row = rows.lookup(rel);  // lookup, not find: the walk thread marks rows meanwhile
    if (row == kNoRow) return false;
    rows.set_link_inode(row, entry_inode);
    return true;
  }

  void settle_kept_candidates() {
    std::erase_if(candidates, [&](const Candidate& c) { return settled(c); });
  }
  void settle_kept_links() {
    link_copies.remove_if([&](const std::string& rel, int64_t inode) { return settled_link(rel, inode); });
  }

  // After both walks (whose threads have ended) and the rows' load: settles what the walks kept
  // while the rows were not ready, and sorts what is left.
  void settle_after_walks() {
    rows_ready.store(true, std::memory_order_relaxed);
    rows_visible(rows_seen_by_walk, [&] { settle_kept_candidates(); });
    rows_visible(rows_seen_by_link_walk, [&] { settle_kept_links(); });
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& a, const Candidate& b) { return a.rel < b.rel; });
    link_copies.sort();
  }

  // Step 1: walk the root; settle the files some group selects against their rows once these
  // are loaded, and keep the others as candidates.
  Status collect(const std::vector<SnapshotGroup>& groups) {
    compiled.emplace(groups);
    std::unordered_set<std::string> skip_files(self.db_rels_in_root_.begin(), self.db_rels_in_root_.end());
    internal::WalkCallbacks cb;
    cb.cancelled = cancelled;
    cb.enter_dir = [&](const std::string& rel, std::string_view name) {
      return name != ".astacus" && rel != self.link_rel_in_root_;
    };
    cb.on_file = [&](std::string rel, int dir_fd, const char* name, uint64_t) -> Status {
      if (!skip_files.empty() && skip_files.count(rel)) return ok();
      GroupMatch m = ASTACUS_TRY(compiled->match(rel));
      if (!m.included) return ok();
      auto st = ASTACUS_TRY(internal::stat_regular_at(dir_fd, name, self.root_, rel));
      // A limit equal to the sentinel embeds no size, as the limit one above it.
      if (m.embed_max && *m.embed_max == Candidate::kAlwaysEmbed) ++*m.embed_max;
      Candidate c{std::move(rel), st.value_or(FileStat{Candidate::kVanished, 0, 0}),
                  m.embed_max.value_or(Candidate::kAlwaysEmbed)};
      if (rows_visible(rows_seen_by_walk, [&] { settle_kept_candidates(); }) && settled(c)) return ok();
      candidates.push_back(std::move(c));
      return ok();
    };
    return internal::walk_files(self.root_, cb);
  }

  // Drops the row of `rel` (if any) and its link copy.
  Status forget(const std::string& rel) {
    if (!rows.erase(rel)) return ok();
    removed.push_back(rel);
    if (self.same_root_) return ok();
    if (!is_safe_relative_path(rel)) {  // a damaged DB row: nothing of ours to unlink
      spdlog::warn("snapshot DB row with unsafe path '{}' dropped", rel);
      return ok();
    }
    return links.remove(rel);
  }

  // Step 2: rows of files that are gone or no longer selected (the walk did not meet them).
  Status drop_unseen() {
    std::vector<std::string> gone;
    rows.for_each_unseen([&](size_t row) { gone.push_back(rows.file(row).relative_path); });
    for (const auto& rel : gone) ASTACUS_CHECK(forget(rel));
    return ok();
  }

  void add_job(std::string rel, const FileStat& st, bool embed) {
    HashJob job;
    job.row.file.relative_path = std::move(rel);
    job.row.file.file_size = st.size;
    job.row.file.mtime_ns = st.mtime_ns;
    job.row.inode = st.inode;
    job.embed = embed;
    jobs.push_back(std::move(job));
  }

  // Before step 3: the link copies that exist and their inodes as their directory entries give
  // them, read in one walk without a stat per file (visits check a copy whose entry disagrees
  // with a stat); a copy is kept by its row, or in link_copies (step 6 removes what no file
  // visits there).
  void index_links() {
    if (self.same_root_) return;
    internal::WalkCallbacks cb;
    cb.cancelled = cancelled;
    cb.on_file = [&](std::string rel, int, const char*, uint64_t entry_inode) -> Status {
      auto inode = static_cast<int64_t>(entry_inode);
      if (rows_visible(rows_seen_by_link_walk, [&] { settle_kept_links(); }) && settled_link(rel, inode)) {
        return ok();
      }
      link_copies.add(std::move(rel), inode);
      return ok();
    };
    if (auto st = internal::walk_files(self.link_root_, cb); !st) {
      spdlog::warn("snapshot: indexing '{}': {}", self.link_root_.string(), st.error().message);
    }
  }

  // Whether row `row` (kNoRow: no row) still describes a file of this stat.
  bool unchanged(size_t row, const Candidate& c, const FileStat& st) const {
    if (row == kNoRow) return false;
    const manifest::SnapshotFile& file = rows.file(row);
    return file.file_size == st.size && file.mtime_ns == st.mtime_ns && rows.inode(row) == st.inode &&
           file.embedded() == c.embeds(st.size);
  }

  // Step 3 for one file: reuse its row, or (re-)link it and queue it for reading (which takes
  // its path: the candidate is not looked at again).
  Status visit(Candidate& c) {
    // Paths are built only for files that are linked or read: most files of a big tree are
    // unchanged, and building two paths each was a third of this step.
    auto source = [&] { return self.root_ / c.rel; };
    if (c.vanished()) {
      spdlog::warn("snapshot: '{}' vanished or is no longer a regular file; skipped", source().string());
      return forget(c.rel);
    }
    const FileStat& st = c.stat;
    size_t row = rows.find(c.rel);
    if (self.same_root_) {
      if (unchanged(row, c, st)) {
        rows.keep(row);
      } else {
        add_job(std::move(c.rel), st, c.embeds(st.size));
      }
      return ok();
    }
    // A row keeps its copy's inode; what is left unvisited in link_copies is stale (step 6).
    int64_t copy_inode = row != kNoRow ? rows.link_inode(row) : link_copies.visit(c.rel);
    bool linked_already = copy_inode != kNoCopy && (copy_inode == st.inode || link_copy_has_inode(c.rel, st.inode));
    FileStat current = st;
    if (!linked_already) {
      auto linked = ASTACUS_TRY(links.link(source(), c.rel));
      if (!linked) {
        spdlog::warn("snapshot: '{}' vanished before it was linked; skipped", source().string());
        return forget(c.rel);
      }
      ++stats.files_linked;
      current = *linked;
    }
    if (unchanged(row, c, current)) {
      rows.keep(row);
    } else {
      add_job(std::move(c.rel), current, c.embeds(current.size));
    }
    return ok();
  }

  // Step 3 for a file the walk found unchanged: its row is kept once its link copy is checked
  // (or made again: an upload releases the copies it stored).
  Status visit_row(size_t row) {
    if (self.same_root_) {
      rows.keep(row);
      return ok();
    }
    const manifest::SnapshotFile& file = rows.file(row);
    const std::string& rel = file.relative_path;
    int64_t inode = rows.inode(row);
    int64_t copy_inode = rows.link_inode(row);
    if (copy_inode != kNoCopy && (copy_inode == inode || link_copy_has_inode(rel, inode))) {
      rows.keep(row);
      return ok();
    }
    auto linked = ASTACUS_TRY(links.link(self.root_ / rel, rel));
    if (!linked) {
      spdlog::warn("snapshot: '{}' vanished before it was linked; skipped", (self.root_ / rel).string());
      return forget(rel);
    }
    ++stats.files_linked;
    if (linked->size == file.file_size && linked->mtime_ns == file.mtime_ns && linked->inode == inode) {
      rows.keep(row);
      return ok();
    }
    // Changed since the walk: read it again, embedded or not by its new size.
    GroupMatch m = ASTACUS_TRY(compiled->match(rel));
    add_job(rel, *linked, m.embeds(linked->size));
    return ok();
  }

  // Whether the link copy of `rel` is the inode `inode`, by a stat: a directory entry's inode
  // number may differ from st_ino (overlayfs), or the copy was replaced since the walk.
  bool link_copy_has_inode(const std::string& rel, int64_t inode) const {
    auto st = internal::stat_regular(self.link_root_ / rel);
    return st && *st && (*st)->inode == inode;
  }

  // scan(): read-only (no link, no DB change). The rows are loaded before the walk.
  Result<std::vector<manifest::SnapshotFile>> scan_all() {
    rows.for_each_seen_unchanged([&](size_t row) { rows.keep(row); });
    for (auto& c : candidates) {
      if (!c.vanished()) add_job(std::move(c.rel), c.stat, c.embeds(c.stat.size));
    }
    std::vector<Candidate>().swap(candidates);
    ASTACUS_CHECK(internal::hash_jobs(jobs, self.root_, self.hash_threads_, cancelled, {}, stats));
    std::vector<manifest::SnapshotFile> files = rows.take_kept();
    for (auto& job : jobs) {
      if (!job.vanished) files.push_back(std::move(job.row.file));
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
      return a.relative_path < b.relative_path;
    });
    return files;
  }

  Status visit_all() {
    Status visited = ok();
    size_t n = 0;
    rows.for_each_seen_unchanged([&](size_t row) {
      if (!visited) return;
      if (++n % 256 == 0 && is_cancelled()) {
        visited = errorf(ErrorCode::kCancelled, "snapshot of '{}' cancelled", self.root_.string());
      } else {
        visited = visit_row(row);
      }
    });
    ASTACUS_CHECK(visited);
    // Every candidate may become a job: reserving up front costs address space only (untouched
    // pages stay out of RSS), where growing by doubling held the old and the new array at once
    // (24 MB at the last step for 50k new files).
    jobs.reserve(jobs.size() + candidates.size());
    // Small new files are read while the rest are still linked (see EarlyHasher). It reads from
    // `jobs`, which must not reallocate until it finished: one job at most per candidate.
    const size_t capacity = jobs.capacity();
    internal::EarlyHasher early(jobs, jobs.size(), hash_base(), cancelled, sink);
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (i % 256 == 0 && is_cancelled()) {
        return errorf(ErrorCode::kCancelled, "snapshot of '{}' cancelled", self.root_.string());
      }
      // A visit adds one job at most: room for it is checked before, so `jobs` never reallocates
      // under the early reader.
      if (jobs.size() == capacity) {
        return errorf(ErrorCode::kInternal, "snapshot of '{}': more hash jobs than files", self.root_.string());
      }
      ASTACUS_CHECK(visit(candidates[i]));
      early.publish(jobs.size());
    }
    ASTACUS_CHECK(early.finish());
    std::vector<Candidate>().swap(candidates);  // all visited
    return ok();
  }

  // Where new files are read: the link copies, or the files themselves in same-root mode.
  const fs::path& hash_base() const { return self.same_root_ ? self.root_ : self.link_root_; }

  // Steps 4 and 5: read new/changed files, then commit everything in one transaction.
  // The result is the kept rows' own vector plus the jobs' files: no second copy of the rows.
  Result<std::vector<manifest::SnapshotFile>> commit(const ProgressFn& progress) {
    ASTACUS_CHECK(internal::hash_jobs(jobs, hash_base(), self.hash_threads_, cancelled, progress, stats, sink));
    self.record_vouches(jobs);
    std::vector<const FileRow*> upserts;
    upserts.reserve(jobs.size());
    for (const auto& job : jobs) {
      if (job.vanished) {
        ASTACUS_CHECK(forget(job.row.file.relative_path));
      } else {
        upserts.push_back(&job.row);
      }
    }
    ASTACUS_CHECK(self.db_->apply(removed, upserts));
    std::vector<manifest::SnapshotFile> files = rows.take_kept();  // no more lookups from here
    files.reserve(files.size() + upserts.size());
    std::vector<const FileRow*>().swap(upserts);
    for (auto& job : jobs) {
      if (!job.vanished) files.push_back(std::move(job.row.file));
    }
    std::vector<HashJob>().swap(jobs);
    auto path_less = [](const auto& a, const auto& b) { return a.relative_path < b.relative_path; };
    if (!std::is_sorted(files.begin(), files.end(), path_less)) std::sort(files.begin(), files.end(), path_less);
    stats.files = static_cast<int64_t>(files.size());
    stats.files_removed = static_cast<int64_t>(removed.size());
    return files;
  }

  // Step 6 (best effort): delete link-directory files the DB does not record.
  // Visits marked the links of every file in the snapshot in link_copies; the unmarked ones
  // have no file.
  void remove_stale_links() {
    if (self.same_root_ || !self.claim_link_root()) return;
    std::unordered_set<std::string_view> keep{kOwnersFile};
    for (const auto& rel : self.db_rels_in_link_) keep.insert(rel);
    link_copies.for_each_unvisited([&](const std::string& rel) {
      if (keep.count(rel)) return;
      if (auto st = links.remove(rel); !st) {
        spdlog::warn("snapshot: {}", st.error().message);
      } else {
        ++stats.stale_links_removed;
      }
    });
  }
};

// ---------------------------------------------------------------------------------------------

Snapshotter::Snapshotter(fs::path root, fs::path link_root, fs::path db_file, int hash_threads,
                         std::unique_ptr<internal::SnapshotDb> db)
    : root_(std::move(root)),
      link_root_(std::move(link_root)),
      db_file_(std::move(db_file)),
      same_root_(root_ == link_root_),
      hash_threads_(std::clamp(hash_threads, 1, 64)),
      db_(std::move(db)) {}

Snapshotter::~Snapshotter() = default;

Result<std::unique_ptr<Snapshotter>> Snapshotter::open(fs::path root, fs::path link_root,
                                                       fs::path db_file, int hash_threads) {
  if (root.empty() || link_root.empty() || db_file.empty()) {
    return errorf(ErrorCode::kInvalidArgument, "snapshotter needs a root, a link directory and a DB file");
  }
  root = normalize(root);
  link_root = normalize(link_root);
  db_file = normalize(db_file);
  bool same_root = root == link_root;
  if (!same_root) {
    if (relative_below(root, link_root)) {
      return errorf(ErrorCode::kInvalidArgument, "link directory '{}' must not contain the root '{}'",
                    link_root.string(), root.string());
    }
    ASTACUS_CHECK(ensure_directory(link_root));
    ASTACUS_CHECK(register_owner(link_root, db_file.string()));
  }
  auto db = ASTACUS_TRY(internal::SnapshotDb::open(db_file, root.string()));
  std::unique_ptr<Snapshotter> s(new Snapshotter(root, link_root, db_file, hash_threads, std::move(db)));
  if (!same_root) {
    s->link_rel_in_root_ = relative_below(link_root, root).value_or("");
    s->db_rels_in_link_ = db_rels_below(db_file, link_root);
  }
  s->db_rels_in_root_ = db_rels_below(db_file, root);
  return s;
}

Result<std::vector<manifest::SnapshotFile>> Snapshotter::snapshot(const std::vector<SnapshotGroup>& groups,
                                                                  const CancelFn& cancelled,
                                                                  const ProgressFn& progress,
                                                                  const ContentSink* sink) {
  Run run{*this, cancelled, internal::LinkDir(link_root_)};
  run.sink = sink;
  auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](auto t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  // The walk of the root, the walk of the link tree and the DB read run at once: on an unchanged
  // tree they are most of a snapshot's time. The walks keep what they meet until the rows are
  // loaded, then settle each file against its row as they go.
  double rows_at = 0;
  auto links_indexed = std::async(std::launch::async, [&run] { run.index_links(); });
  auto rows_loaded = std::async(std::launch::async, [&]() -> Status {
    run.rows = internal::RowIndex(ASTACUS_TRY(db_->load()));
    rows_at = seconds_since(started);
    if (rows_timing_ != RowsTiming::kAfterWalks) run.rows_ready.store(true, std::memory_order_release);
    return ok();
  });
  if (rows_timing_ == RowsTiming::kBeforeWalks) rows_loaded.wait();
  Status collected = run.collect(groups);
  links_indexed.get();
  Status loaded = rows_loaded.get();
  ASTACUS_CHECK(collected);
  ASTACUS_CHECK(loaded);
  run.settle_after_walks();
  double walked = seconds_since(started);
  ASTACUS_CHECK(run.drop_unseen());
  ASTACUS_CHECK(run.visit_all());
  double visited = seconds_since(started);
  auto files = ASTACUS_TRY(run.commit(progress));
  forget_vouches_not_in(files);
  run.remove_stale_links();
  const SnapshotStats& st = run.stats;
  spdlog::info("snapshot of '{}': {} files, {} linked, {} read ({} bytes), {} dropped, {} stale removed "
               "in {:.2f} s (walks {:.2f} s, DB rows loaded at {:.2f} s, links {:.2f} s, reads and DB {:.2f} s)",
               root_.string(), st.files, st.files_linked, st.files_hashed, st.bytes_hashed,
               st.files_removed, st.stale_links_removed, seconds_since(started), walked, rows_at, visited - walked,
               seconds_since(started) - visited);
  std::lock_guard lock(stats_mu_);
  last_stats_ = st;
  return files;
}

Result<std::vector<manifest::SnapshotFile>> Snapshotter::scan(const std::vector<SnapshotGroup>& groups,
                                                              const CancelFn& cancelled) {
  Run run{*this, cancelled, internal::LinkDir(link_root_)};
  run.rows = internal::RowIndex(ASTACUS_TRY(db_->load()));
  run.rows_ready.store(true, std::memory_order_relaxed);  // one thread: the walk settles as it goes
  ASTACUS_CHECK(run.collect(groups));
  return run.scan_all();
}

void Snapshotter::record_vouches(const std::vector<internal::HashJob>& jobs) {
  std::lock_guard lock(vouch_mu_);
  for (const auto& job : jobs) {
    const auto& file = job.row.file;
    bool vouch = !job.vanished && !job.embed && !file.hexdigest.empty() && file.file_size >= kVouchMinSize &&
                 job.identity.size == file.file_size &&  // neither grown nor shrunk while read
                 is_settled(job.identity, job.identity_taken_at_ns);
    if (vouch) {
      vouches_[file.relative_path] = Vouch{file.hexdigest, job.identity};
    } else {
      vouches_.erase(file.relative_path);
    }
  }
}

void Snapshotter::forget_vouches_not_in(const std::vector<manifest::SnapshotFile>& files) {
  std::lock_guard lock(vouch_mu_);
  std::erase_if(vouches_, [&](const auto& entry) {  // files is sorted by path
    auto it = std::lower_bound(files.begin(), files.end(), entry.first,
                               [](const manifest::SnapshotFile& f, const std::string& rel) { return f.relative_path < rel; });
    return it == files.end() || it->relative_path != entry.first || it->hexdigest != entry.second.hexdigest;
  });
}

std::optional<FileIdentity> Snapshotter::vouched_identity(std::string_view relative_path,
                                                          const manifest::Hexdigest& hexdigest) const {
  std::lock_guard lock(vouch_mu_);
  auto it = vouches_.find(std::string(relative_path));
  if (it == vouches_.end() || it->second.hexdigest != hexdigest) return std::nullopt;
  return it->second.identity;
}

Status Snapshotter::release(const std::vector<std::string>& hexdigests) {
  std::vector<manifest::Hexdigest> wanted;
  wanted.reserve(hexdigests.size());
  for (const auto& hexdigest : hexdigests) {
    if (!hexdigest.empty()) wanted.emplace_back(hexdigest);
  }
  if (wanted.empty()) return ok();
  // One scan of the DB for all of them (the table has no hexdigest index; see snapshot_db.cc).
  auto paths = ASTACUS_TRY(db_->paths_with_any_hexdigest(std::move(wanted)));
  std::optional<Error> first_error;
  for (const auto& rel : paths) {
    auto path = link_path(rel);
    if (!path) {
      if (!first_error) first_error = path.error();
    } else if (::unlink(path->c_str()) != 0 && errno != ENOENT && !first_error) {
      first_error = Error{ErrorCode::kIoError,
                          fmt::format("cannot release '{}': {}", path->string(), std::strerror(errno))};
    }
  }
  if (first_error) return make_error(*first_error);
  return ok();
}

Result<std::vector<manifest::SnapshotFile>> Snapshotter::files() const { return db_->files(); }

Status Snapshotter::for_each_digest(
    const std::function<void(std::string_view, const manifest::Hexdigest&)>& f) const {
  return db_->for_each_digest(f);
}

Result<std::vector<std::string>> Snapshotter::paths_with_hexdigest(const std::string& hexdigest) const {
  if (hexdigest.empty()) return std::vector<std::string>();
  return db_->paths_with_hexdigest(hexdigest);
}

Result<std::optional<manifest::SnapshotFile>> Snapshotter::find(const std::string& relative_path) const {
  auto row = ASTACUS_TRY(db_->find(relative_path));
  if (!row) return std::optional<manifest::SnapshotFile>();
  return std::optional<manifest::SnapshotFile>(std::move(row->file));
}

Result<fs::path> Snapshotter::link_path(std::string_view relative_path) const {
  return confine(link_root_, relative_path);
}

SnapshotStats Snapshotter::last_stats() const {
  std::lock_guard lock(stats_mu_);
  return last_stats_;
}

bool Snapshotter::claim_link_root() {
  auto owners = read_owners(link_root_);
  Status st = owners ? ok() : Status(make_error(owners.error()));
  if (owners && owners->empty()) {  // the link directory was removed or emptied by hand
    st = register_owner(link_root_, db_file_.string());
    owners->push_back(db_file_.string());
  }
  if (!st) {
    spdlog::warn("snapshot: {}; stale link copies not cleaned", st.error().message);
    return false;
  }
  return *owners == std::vector<std::string>{db_file_.string()};
}

}  // namespace astacus::snapshot

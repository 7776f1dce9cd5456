#include "snapshot/hash_jobs.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <numeric>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "snapshot/file_digest.h"

namespace astacus::snapshot::internal {

namespace {

bool offered_to(const ContentSink* sink, const HashJob& job) {
  return sink && !job.embed && job.row.file.file_size <= sink->max_bytes;
}

// Reads one job's file (embedded bytes or BLAKE2s); a vanished file marks the job, a file that
// shrank is recorded with the bytes read. `on_chunk` returning false cancels the read. A small
// file whose mtime was settled goes to `sink` (may be null) with the very bytes hashed.
Status read_job(HashJob& job, const std::filesystem::path& base, const std::function<bool(int64_t)>& on_chunk,
                const ContentSink* sink) {
  std::string path = (base / job.row.file.relative_path).native();
  std::string bytes;
  std::string* keep = offered_to(sink, job) ? &bytes : nullptr;
  if (keep) bytes.reserve(static_cast<size_t>(job.row.file.file_size));
  auto content = read_file_content(path, job.row.file.file_size, job.embed, on_chunk, keep);
  if (!content) {
    if (content.error().code != ErrorCode::kNotFound) return make_error(content.error());
    spdlog::warn("snapshot: '{}' vanished before it was read; skipped", path);
    job.vanished = true;
    job.done = true;
    return ok();
  }
  if (content->bytes_read < job.row.file.file_size) {
    spdlog::warn("snapshot: '{}' shrank from {} to {} bytes while being read", path, job.row.file.file_size,
                 content->bytes_read);
    job.row.file.file_size = content->bytes_read;
  }
  job.identity = content->identity;
  job.identity_taken_at_ns = content->identity_taken_at_ns;
  job.row.file.hexdigest = std::move(content->hexdigest);
  job.row.file.content_b64 = std::move(content->content_b64);
  job.done = true;
  if (keep && is_settled(job.identity, job.identity_taken_at_ns)) sink->take(job.row.file.hexdigest, bytes);
  return ok();
}

// Shared state of one hash_jobs() call.
struct Pool {
  std::vector<HashJob>& jobs;
  const std::filesystem::path& base;
  std::vector<uint32_t> order;  // job indices, biggest file first (sorting the jobs moved them all)
  const CancelFn& cancelled;
  const ProgressFn& progress;
  const ContentSink* sink;
  int64_t total = 0;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;  // guards handled, error and progress calls
  int64_t handled = 0;
  std::optional<Error> error;

  bool on_chunk(int64_t n) {
    if (stop.load()) return false;
    if (cancelled && cancelled()) return false;
    if (progress) {
      std::lock_guard lock(mu);
      handled += n;
      progress(handled, total);
    }
    return true;
  }

  void fail(Error e) {
    std::lock_guard lock(mu);
    if (!error) error = std::move(e);
    stop = true;
  }

  void run_one(HashJob& job) {
    if (cancelled && cancelled()) return fail(Error{ErrorCode::kCancelled, "snapshot cancelled"});
    Status read = read_job(job, base, [this](int64_t n) { return on_chunk(n); }, sink);
    if (!read) fail(read.error());
  }

  void worker() {
    while (!stop.load()) {
      size_t i = next.fetch_add(1);
      if (i >= order.size()) return;
      if (!jobs[order[i]].done) run_one(jobs[order[i]]);
    }
  }
};

}  // namespace

Status hash_jobs(std::vector<HashJob>& jobs, const std::filesystem::path& base, int threads,
                 const CancelFn& cancelled, const ProgressFn& progress, SnapshotStats& stats,
                 const ContentSink* sink) {
  Pool pool{jobs, base, {}, cancelled, progress, sink};
  pool.order.resize(jobs.size());  // a snapshot makes far fewer than 2^32 jobs (see RowIndex)
  std::iota(pool.order.begin(), pool.order.end(), 0u);
  std::stable_sort(pool.order.begin(), pool.order.end(), [&jobs](uint32_t a, uint32_t b) {
    return jobs[a].row.file.file_size > jobs[b].row.file.file_size;
  });
  for (const auto& job : jobs) {
    if (!job.done) pool.total += job.row.file.file_size;
  }
  size_t n = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), jobs.size());
  std::vector<std::thread> helpers;  // the calling thread is the n-th worker
  for (size_t i = 1; i < n; ++i) {
    try {
      helpers.emplace_back([&pool] { pool.worker(); });
    } catch (const std::system_error& e) {
      spdlog::warn("snapshot: cannot start hashing thread ({}); using {}", e.what(), i);
      break;
    }
  }
  pool.worker();
  for (auto& h : helpers) h.join();
  if (pool.error) return make_error(*pool.error);
  for (const auto& job : jobs) {
    if (job.vanished) continue;
    ++stats.files_hashed;
    stats.bytes_hashed += job.row.file.file_size;
  }
  return ok();
}

EarlyHasher::EarlyHasher(std::vector<HashJob>& jobs, size_t first, std::filesystem::path base,
                         const CancelFn& cancelled, const ContentSink* sink)
    : jobs_(jobs), first_(first), base_(std::move(base)), cancelled_(cancelled), sink_(sink), published_(first) {
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    spdlog::warn("snapshot: cannot start the early hashing thread ({}); files are read after the visit", e.what());
  }
}

EarlyHasher::~EarlyHasher() { ignore_error(finish(), "the snapshot failed before its reads; its error counts"); }

void EarlyHasher::publish(size_t count) {
  std::lock_guard lock(mu_);
  published_ = count;
  if (waiting_) wake_.notify_one();
}

Status EarlyHasher::finish() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (error_) return make_error(*error_);
  return ok();
}

void EarlyHasher::run() {
  auto keep_going = [this](int64_t) {
    std::lock_guard lock(mu_);
    return !stopping_ && !(cancelled_ && cancelled_());
  };
  for (size_t next = first_;; ++next) {  // the jobs before `first_` are hash_jobs()'s
    {
      std::unique_lock lock(mu_);
      waiting_ = true;
      wake_.wait(lock, [&] { return stopping_ || next < published_; });
      waiting_ = false;
      if (stopping_) return;
    }
    if (cancelled_ && cancelled_()) return;  // the visit reports it
    HashJob& job = jobs_[next];  // complete: published, and `jobs_` does not reallocate
    Status read = job.row.file.file_size > kMaxEarlyBytes ? ok() : read_job(job, base_, keep_going, sink_);
    if (!read && read.error().code == ErrorCode::kCancelled) return;  // not done: hash_jobs() reads it
    if (!read) {
      std::lock_guard lock(mu_);
      error_ = read.error();
    }
    passed_.store(next + 1 - first_, std::memory_order_release);
    if (!read) return;
  }
}

}  // namespace astacus::snapshot::internal

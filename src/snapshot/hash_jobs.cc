#include "snapshot/hash_jobs.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <system_error>
#include <thread>

#include <spdlog/spdlog.h>

#include "snapshot/file_digest.h"

namespace astacus::snapshot::internal {

namespace {

// Shared state of one hash_jobs() call.
struct Pool {
  std::vector<HashJob>& jobs;
  const std::filesystem::path& base;
  std::vector<uint32_t> order;  // job indices, biggest file first (sorting the jobs moved them all)
  const CancelFn& cancelled;
  const ProgressFn& progress;
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
    std::string path = (base / job.row.file.relative_path).native();
    auto content = read_file_content(path, job.row.file.file_size, job.embed,
                                     [this](int64_t n) { return on_chunk(n); });
    if (!content) {
      if (content.error().code != ErrorCode::kNotFound) return fail(content.error());
      spdlog::warn("snapshot: '{}' vanished before it was read; skipped", path);
      job.vanished = true;
      return;
    }
    if (content->bytes_read < job.row.file.file_size) {
      spdlog::warn("snapshot: '{}' shrank from {} to {} bytes while being read", path,
                   job.row.file.file_size, content->bytes_read);
      job.row.file.file_size = content->bytes_read;
    }
    job.identity = content->identity;
    job.identity_taken_at_ns = content->identity_taken_at_ns;
    job.row.file.hexdigest = std::move(content->hexdigest);
    job.row.file.content_b64 = std::move(content->content_b64);
  }

  void worker() {
    while (!stop.load()) {
      size_t i = next.fetch_add(1);
      if (i >= order.size()) return;
      run_one(jobs[order[i]]);
    }
  }
};

}  // namespace

Status hash_jobs(std::vector<HashJob>& jobs, const std::filesystem::path& base, int threads,
                 const CancelFn& cancelled, const ProgressFn& progress, SnapshotStats& stats) {
  Pool pool{jobs, base, {}, cancelled, progress};
  pool.order.resize(jobs.size());  // a snapshot makes far fewer than 2^32 jobs (see RowIndex)
  std::iota(pool.order.begin(), pool.order.end(), 0u);
  std::stable_sort(pool.order.begin(), pool.order.end(), [&jobs](uint32_t a, uint32_t b) {
    return jobs[a].row.file.file_size > jobs[b].row.file.file_size;
  });
  for (const auto& job : jobs) pool.total += job.row.file.file_size;
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

}  // namespace astacus::snapshot::internal

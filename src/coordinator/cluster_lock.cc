#include "coordinator/cluster_lock.h"

#include <spdlog/spdlog.h>

namespace astacus::coordinator {

Result<std::unique_ptr<ClusterLock>> ClusterLock::acquire(Cluster& cluster, std::string locker,
                                                          int64_t ttl) {
  std::string problems;
  if (cluster.lock(locker, ttl, &problems) != LockOutcome::kOk) {
    cluster.unlock(locker);
    return make_error(ErrorCode::kBusy,
                      "Unable to acquire cluster lock to create operation: " + problems);
  }
  return std::unique_ptr<ClusterLock>(new ClusterLock(cluster, std::move(locker), ttl));
}

ClusterLock::ClusterLock(Cluster& cluster, std::string locker, int64_t ttl)
    : cluster_(cluster), locker_(std::move(locker)), ttl_(ttl) {
  thread_ = std::thread([this] { relock_loop(); });
}

ClusterLock::~ClusterLock() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  cluster_.unlock(locker_);
}

void ClusterLock::relock_loop() {
  using Clock = std::chrono::steady_clock;
  auto last_ok = Clock::now();
  auto next = last_ok + std::chrono::duration<double>(ttl_ / 2.0);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
    lock.unlock();
    LockOutcome outcome = cluster_.relock(locker_, ttl_);
    lock.lock();
    auto now = Clock::now();
    if (outcome == LockOutcome::kOk) {
      last_ok = now;
      next = now + std::chrono::duration<double>(ttl_ / 2.0);
    } else if (outcome == LockOutcome::kFailure ||
               now > last_ok + std::chrono::duration<double>(ttl_)) {
      spdlog::error("cluster lock {} lost (relock {}); cancelling the op", locker_,
                    outcome == LockOutcome::kFailure ? "refused" : "kept failing");
      lost_ = true;
      return;
    } else {
      next = now + std::chrono::duration<double>(std::max(ttl_ / 10.0, 0.1));
    }
  }
}

}  // namespace astacus::coordinator

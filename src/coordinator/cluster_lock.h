#pragma once
// Holds the cluster lock for the duration of an op (spec §7.2): a thread relocks every node at
// ttl/2; a refused relock cancels the op at once, an unreachable node is retried every ttl/10
// until its lock would have expired. The destructor stops relocking and unlocks every node.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "coordinator/cluster.h"

namespace astacus::coordinator {

class ClusterLock {
 public:
  /// Takes the lock on every node; on failure unlocks them all and returns Busy.
  static Result<std::unique_ptr<ClusterLock>> acquire(Cluster& cluster, std::string locker,
                                                      int64_t ttl);
  ~ClusterLock();

  /// True once the lock was lost: the op must stop.
  bool lost() const { return lost_; }
  const std::string& locker() const { return locker_; }

 private:
  ClusterLock(Cluster& cluster, std::string locker, int64_t ttl);
  void relock_loop();

  Cluster& cluster_;
  const std::string locker_;
  const int64_t ttl_;
  std::atomic<bool> lost_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace astacus::coordinator

#pragma once
// The node lock (spec §2.3, §7.5): one locker at a time, with a TTL on the monotonic clock.
// An expired lock counts as "not locked". Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"

namespace astacus::node {

class NodeLock {
 public:
  /// Conflict "Already locked" if an unexpired lock exists (even by the same locker).
  Status lock(const std::string& locker, double ttl_seconds);
  /// Conflict "Not locked" (none or expired); Forbidden "Locked by someone else".
  Status relock(const std::string& locker, double ttl_seconds);
  /// Conflict "Already unlocked"; Forbidden "Locked by someone else".
  Status unlock(const std::string& locker);
  bool is_locked() const;
  /// The current locker, if locked.
  std::optional<std::string> locker() const;

 private:
  bool locked_unlocked() const;

  mutable std::mutex mutex_;
  std::string locker_;
  std::chrono::steady_clock::time_point expiry_{};
};

}  // namespace astacus::node

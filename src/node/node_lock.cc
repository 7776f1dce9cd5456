#include "node/node_lock.h"

namespace astacus::node {

namespace {
std::chrono::steady_clock::duration ttl_duration(double seconds) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds));
}
}  // namespace

bool NodeLock::locked_unlocked() const {
  return !locker_.empty() && std::chrono::steady_clock::now() < expiry_;
}

Status NodeLock::lock(const std::string& locker, double ttl_seconds) {
  std::lock_guard guard(mutex_);
  if (locked_unlocked()) return make_error(ErrorCode::kConflict, "Already locked");
  locker_ = locker;
  expiry_ = std::chrono::steady_clock::now() + ttl_duration(ttl_seconds);
  return ok();
}

Status NodeLock::relock(const std::string& locker, double ttl_seconds) {
  std::lock_guard guard(mutex_);
  if (!locked_unlocked()) return make_error(ErrorCode::kConflict, "Not locked");
  if (locker_ != locker) return make_error(ErrorCode::kForbidden, "Locked by someone else");
  expiry_ = std::chrono::steady_clock::now() + ttl_duration(ttl_seconds);
  return ok();
}

Status NodeLock::unlock(const std::string& locker) {
  std::lock_guard guard(mutex_);
  if (!locked_unlocked()) return make_error(ErrorCode::kConflict, "Already unlocked");
  if (locker_ != locker) return make_error(ErrorCode::kForbidden, "Locked by someone else");
  locker_.clear();
  return ok();
}

bool NodeLock::is_locked() const {
  std::lock_guard guard(mutex_);
  return locked_unlocked();
}

std::optional<std::string> NodeLock::locker() const {
  std::lock_guard guard(mutex_);
  if (!locked_unlocked()) return std::nullopt;
  return locker_;
}

}  // namespace astacus::node

#include "storage/s3/retry.h"

#include <algorithm>
#include <random>

namespace astacus::storage::s3 {

Error with_note(Error error, std::string_view note) {
  error.message += fmt::format(" ({})", note);
  return error;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int doublings = std::clamp(attempt - 2, 0, 30);
  int64_t full = policy.initial_backoff.count();
  for (int i = 0; i < doublings && full < policy.max_backoff.count(); ++i) full *= 2;
  full = std::min<int64_t>(full, policy.max_backoff.count());
  if (full <= 1) return std::chrono::milliseconds(full);
  std::uniform_int_distribution<int64_t> jitter(full / 2, full);
  return std::chrono::milliseconds(jitter(rng));
}

}  // namespace astacus::storage::s3

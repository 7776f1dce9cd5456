// Backoff delays and "gave up" notes for GCS retries.
#include "storage/gcs/gcs_retry.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace astacus::storage::gcs {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::clamp(attempt - 1, 0, 30));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(base * jitter(rng)));
}

Error gave_up(Error error, int attempts, Clock::duration elapsed, bool deadline_reached) {
  if (attempts <= 1 && !deadline_reached) return error;
  double seconds = std::chrono::duration<double>(elapsed).count();
  error.message += fmt::format(" (gave up after {} attempts in {:.1f} s{})", attempts, seconds,
                               deadline_reached ? "; request deadline reached" : "");
  return error;
}

}  // namespace astacus::storage::gcs

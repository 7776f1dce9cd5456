#pragma once
// Bounded retries with exponential backoff and jitter for one GCS request: attempts stop on
// success, on a permanent error, when the attempts are used up, or when the next try could not
// start before the request's deadline. Thread-safe (a thread-local random generator only).

#include <chrono>
#include <thread>

#include "base/result.h"
#include "storage/gcs/gcs_http.h"

namespace astacus::storage::gcs {

struct RetryPolicy {
  int max_attempts = 6;                            // including the first
  std::chrono::milliseconds initial_backoff{200};  // before the 2nd attempt, then doubling
  std::chrono::milliseconds max_backoff{10000};
  std::chrono::milliseconds deadline{300000};  // one request: every attempt and wait included
};

/// The pause after failed attempt `attempt` (1, 2, ...): initial * 2^(attempt-1), capped at
/// max_backoff, times a random factor in [0.5, 1.0].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt);

/// `error` with " (gave up after N attempts in S s[; deadline of D ms reached])" appended when
/// more than one attempt was made or the deadline stopped the retries.
Error gave_up(Error error, int attempts, Clock::duration elapsed, bool deadline_reached);

/// Runs `attempt(deadline)` (returning Result<T>) under `policy`.
template <typename F>
auto with_retries(const RetryPolicy& policy, F&& attempt) -> decltype(attempt(Clock::time_point{})) {
  const auto start = Clock::now();
  const auto deadline = start + policy.deadline;
  for (int n = 1;; ++n) {
    auto result = attempt(deadline);
    if (result || !result.error().retryable) return result;
    auto wait = backoff_delay(policy, n);
    bool deadline_reached = Clock::now() + wait >= deadline;
    if (n >= policy.max_attempts || deadline_reached) {
      return make_error(gave_up(std::move(result).error(), n, Clock::now() - start, deadline_reached));
    }
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace astacus::storage::gcs

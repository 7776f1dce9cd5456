#pragma once
// Bounded retries with exponential backoff and jitter, for one S3 request at a time.
// Thread-safe (no shared state besides a thread-local random generator).

#include <chrono>
#include <functional>
#include <string_view>
#include <thread>

#include "base/result.h"

namespace astacus::storage::s3 {

using Clock = std::chrono::steady_clock;

struct RetryPolicy {
  int max_attempts = 5;                          // including the first
  std::chrono::milliseconds initial_backoff{200};  // before the 2nd attempt, then doubling
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds deadline{15 * 60 * 1000};  // for all attempts of one request
};

/// The pause before attempt `attempt` (2, 3, ...): initial * 2^(attempt-2), capped at
/// max_backoff, then a uniformly random value in [half of it, all of it].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt);

/// `error` with " (<note>)" appended to its message.
Error with_note(Error error, std::string_view note);

/// Runs `attempt(deadline)` until it succeeds, fails with a non-retryable error, the attempts are
/// used up, or the deadline (now + policy.deadline) would pass before the next attempt. The
/// final error keeps its code/retryable flag and gets "after N attempts" when N > 1.
/// `on_retry(error, attempt)` is called before each retry (for logging).
template <typename T>
Result<T> with_retries(const RetryPolicy& policy,
                       const std::function<Result<T>(Clock::time_point deadline)>& attempt,
                       const std::function<void(const Error&, int)>& on_retry = {}) {
  const auto deadline = Clock::now() + policy.deadline;
  for (int n = 1;; ++n) {
    Result<T> r = attempt(deadline);
    if (r || !r.error().retryable || n >= policy.max_attempts) {
      if (!r && n > 1) return make_error(with_note(r.error(), fmt::format("after {} attempts", n)));
      return r;
    }
    auto delay = backoff_delay(policy, n + 1);
    if (Clock::now() + delay >= deadline) {
      return make_error(with_note(
          r.error(), fmt::format("after {} attempts; retry deadline of {} ms reached", n, policy.deadline.count())));
    }
    if (on_retry) on_retry(r.error(), n + 1);
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace astacus::storage::s3

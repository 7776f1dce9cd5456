#pragma once
// Waiting with Python's `utils.exponential_backoff(initial=0.1, duration=N)` schedule and
// polling an op's status URL until it ends.

#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace astacus::cli {

/// Attempt 0 runs at once and starts the budget; attempt k (k >= 1) first sleeps
/// initial * 2^(k-1) seconds, logging "exponential_backoff waiting 0.10 seconds (retry k)" —
/// unless that sleep would end past start + duration, in which case next() returns false.
class Backoff {
 public:
  Backoff(Context& ctx, double initial_seconds, double duration_seconds);
  /// True: make another attempt now (the sleep, if any, has happened). False: budget used up.
  bool next();

 private:
  Context& ctx_;
  double initial_;
  double duration_;
  double start_ = 0;
  int attempt_ = 0;
};

enum class WaitOutcome {
  kDone,      // state "done"
  kFailed,    // state "fail"
  kTimedOut,  // budget used up while the op was still running
  kError,     // a poll failed or answered without "state" (already logged)
};

/// Polls `status_url` (GET, caller "client._run_op[2]") on a Backoff with `budget_seconds`.
/// While waiting on a TTY, shows "<label>: <handled>/<total> (<pct>%) failed <n>" from the
/// answer's "progress" and erases it before returning.
WaitOutcome wait_for_op(Context& ctx, const std::string& status_url, const std::string& label,
                        double budget_seconds);

/// The progress line for a status answer's "progress" object ("" when it has none).
std::string progress_line(const std::string& label, const nlohmann::json& status);

}  // namespace astacus::cli

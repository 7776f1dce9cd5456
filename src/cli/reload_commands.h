#pragma once
// `reload` and `check-reload` (Python `client._reload_config` / `_check_reload_config`).

#include "cli/context.h"

namespace astacus::cli {

/// Budget for `reload` when -w is absent (Python asserted -w was given and crashed).
inline constexpr int kDefaultReloadBudgetSeconds = 30;

/// POSTs <url>/config/reload on a Backoff(0.1 s, budget = -w or 30 s), each try with a timeout
/// of the remaining budget (at least 0.1 s). First 2xx -> 0; budget used up -> 1.
int run_reload(Context& ctx);

/// GETs <url>/config/status. Failure -> prints "Failed to get configuration status", 1.
/// `status_only`: prints nothing, 1 if needs_reload else 0. Otherwise prints
/// "Configuration needs to be reloaded" / "Configuration does not need to be reloaded", 0.
int run_check_reload(Context& ctx, bool status_only);

}  // namespace astacus::cli

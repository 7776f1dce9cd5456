#pragma once
// Progress helpers shared by node and coordinator (Python common/progress.py). The Progress
// struct itself lives in types.h.

#include <cstdint>
#include <optional>
#include <string>

#include "manifest/types.h"

namespace astacus::manifest {

/// "<handled>/<total> handled, <failed> failures[, finished]" (Python Progress.__repr__).
std::string to_string(const Progress& progress);

/// Whether a counter going from `old_value` to `new_value` deserves a log line: with a known
/// total, when the integer percent changes (always when total <= 100 or on reaching total);
/// otherwise always while either value <= 10, then when floor(ln(v)/ln(1.1)) changes.
bool increase_worth_reporting(int64_t old_value, int64_t new_value,
                              std::optional<int64_t> total = std::nullopt);

}  // namespace astacus::manifest

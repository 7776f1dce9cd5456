#pragma once
// Everything a command needs besides its own arguments: the coordinator URL, the -w budget,
// the console and a clock whose sleeping can be replaced in tests.

#include <functional>
#include <optional>
#include <string>

#include "cli/console.h"

namespace astacus::cli {

inline constexpr char kDefaultUrl[] = "http://localhost:5515";

/// Monotonic time in seconds and a sleep; `system_clock()` is the real one.
struct Clock {
  std::function<double()> now;
  std::function<void(double seconds)> sleep;
};
Clock system_clock();

struct Context {
  std::string url = kDefaultUrl;           // -u, used as "<url>/<path>" like Python
  std::optional<int> wait_seconds;         // -w; unset (or 0) = do not wait for ops
  Console* console = nullptr;
  Clock clock = system_clock();
};

}  // namespace astacus::cli

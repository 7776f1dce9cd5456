#include "cli/context.h"

#include <chrono>
#include <thread>

namespace astacus::cli {

Clock system_clock() {
  return Clock{
      [] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
      },
      [](double seconds) {
        if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      },
  };
}

}  // namespace astacus::cli

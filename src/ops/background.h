#pragma once
// Runs op bodies on their own threads and joins them all at shutdown, so no op outlives the
// objects it uses. shutting_down() lets long ops stop between steps.

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace astacus::ops {

class BackgroundRunner {
 public:
  ~BackgroundRunner();
  void run(std::function<void()> body);
  /// Flags shutdown and joins every thread started so far.
  void shutdown();
  bool shutting_down() const { return shutting_down_; }

 private:
  void reap_finished();

  std::mutex mutex_;
  struct Task {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> finished;
  };
  std::list<Task> tasks_;
  std::atomic<bool> shutting_down_{false};
};

/// Sleeps up to `seconds`, waking early when `stop()` becomes true (checked every 50 ms).
void interruptible_sleep(double seconds, const std::function<bool()>& stop);

}  // namespace astacus::ops

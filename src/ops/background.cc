#include "ops/background.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>

namespace astacus::ops {

BackgroundRunner::~BackgroundRunner() { shutdown(); }

void BackgroundRunner::run(std::function<void()> body) {
  std::lock_guard lock(mutex_);
  reap_finished();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  tasks_.push_back(Task{std::thread([body = std::move(body), finished] {
                          body();
                          // An op's file lists (a million entries on a big node) are freed when
                          // it ends, but glibc keeps the pages; give them back so an idle server
                          // does not sit on the peak of its last op.
                          ::malloc_trim(0);
                          *finished = true;
                        }),
                        finished});
}

void BackgroundRunner::reap_finished() {
  for (auto it = tasks_.begin(); it != tasks_.end();) {
    if (*it->finished) {
      it->thread.join();
      it = tasks_.erase(it);
    } else {
      ++it;
    }
  }
}

void BackgroundRunner::shutdown() {
  shutting_down_ = true;
  std::list<Task> tasks;
  {
    std::lock_guard lock(mutex_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) {
    if (task.thread.joinable()) task.thread.join();
  }
}

void interruptible_sleep(double seconds, const std::function<bool()>& stop) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (stop && stop()) return;
    auto left = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        deadline - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(50)));
  }
}

}  // namespace astacus::ops

#pragma once
// parallel_for: runs fn(i) for i in [0, count) on `threads` worker threads (items are taken in
// order, so callers sort big items first). Blocks until all items are done.

#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace astacus {

inline void parallel_for(size_t count, int threads, const std::function<void(size_t)>& fn) {
  if (count == 0) return;
  size_t workers = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(threads), count));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace astacus

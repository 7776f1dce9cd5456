#pragma once
// The part uploads of one streamed object (S3 multipart parts, Azure blocks): each part runs on
// its own thread, at most `limit` at a time, and outcomes are collected in the order the parts
// were started. A collected part's buffer comes back (take_spare()) for the next part, so a
// writer needs about limit + 1 part buffers however big the object.
// Not thread-safe: one per writer. The destructor waits for parts still running, because they
// reference their writer's state.

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"

namespace astacus::storage {

template <typename Outcome>  // what one part upload returns: Status, or Result<etag>
class PartsInFlight {
 public:
  using Send = std::function<Outcome(std::string_view body)>;
  using Collect = std::function<Status(Outcome)>;

  /// `collect` receives each finished part's outcome, oldest first; its error stops the writer.
  PartsInFlight(size_t limit, Collect collect) : limit_(std::max<size_t>(1, limit)), collect_(std::move(collect)) {}
  ~PartsInFlight() { wait_all(); }
  PartsInFlight(const PartsInFlight&) = delete;
  PartsInFlight& operator=(const PartsInFlight&) = delete;

  /// Starts send(body) once fewer than `limit` parts run (finished ones are collected first;
  /// a collect error is returned and nothing is started).
  Status start(std::string body, Send send) {
    ASTACUS_CHECK(make_room());
    in_flight_.push_back(std::async(std::launch::async, [send = std::move(send), body = std::move(body)]() mutable {
      Outcome outcome = send(body);
      return Finished{std::move(outcome), std::move(body)};
    }));
    return ok();
  }

  /// Collects every part still running, in order.
  Status finish() {
    while (!in_flight_.empty()) ASTACUS_CHECK(collect_oldest());
    return ok();
  }

  /// Waits for every part without collecting it (after a failure).
  void wait_all() {
    for (auto& part : in_flight_) part.wait();
    in_flight_.clear();
  }

  /// The buffer of the last collected part ("" if none), to fill with the next part.
  std::string take_spare() { return std::exchange(spare_, std::string()); }

 private:
  struct Finished {
    Outcome outcome;
    std::string body;
  };

  Status make_room() {
    while (!in_flight_.empty() && (in_flight_.size() >= limit_ || is_done(in_flight_.front()))) {
      ASTACUS_CHECK(collect_oldest());
    }
    return ok();
  }

  static bool is_done(const std::future<Finished>& part) {
    return part.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

  Status collect_oldest() {
    Finished done = in_flight_.front().get();
    in_flight_.pop_front();
    spare_ = std::move(done.body);
    return collect_(std::move(done.outcome));
  }

  size_t limit_;
  Collect collect_;
  std::deque<std::future<Finished>> in_flight_;
  std::string spare_;
};

}  // namespace astacus::storage

#pragma once
// The async op model shared by the coordinator and the node (spec §2.1): one "current op"
// record {id, name, state} and a counter of ids starting at 1. Starting an op replaces the
// record; only the current op can be queried. A running op checks is_current() to notice it
// was superseded and then stops quietly.
// Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace astacus::ops {

enum class OpState { kStarting, kRunning, kDone, kFail };
std::string_view to_string(OpState state);

struct OpRecord {
  int64_t id = 0;
  std::string name;
  OpState state = OpState::kStarting;
};

class OpRegistry {
 public:
  /// Takes the next id and makes it the current op (state starting).
  OpRecord start(std::string name);
  /// Consumes an id without starting an op (a refused lock attempt does this upstream).
  int64_t consume_id();
  /// Sets the state of op `id` if it is still current; running->done only, any->fail.
  void set_state(int64_t id, OpState state);
  bool is_current(int64_t id) const;
  /// The current op if it has this name and id.
  std::optional<OpRecord> find(std::string_view name, int64_t id) const;
  /// True iff the current op is starting or running.
  bool busy() const;

 private:
  mutable std::mutex mutex_;
  int64_t next_id_ = 1;
  std::optional<OpRecord> current_;
};

}  // namespace astacus::ops

#include "ops/op_registry.h"

namespace astacus::ops {

std::string_view to_string(OpState state) {
  switch (state) {
    case OpState::kStarting: return "starting";
    case OpState::kRunning: return "running";
    case OpState::kDone: return "done";
    case OpState::kFail: return "fail";
  }
  return "fail";
}

OpRecord OpRegistry::start(std::string name) {
  std::lock_guard lock(mutex_);
  current_ = OpRecord{next_id_++, std::move(name), OpState::kStarting};
  return *current_;
}

int64_t OpRegistry::consume_id() {
  std::lock_guard lock(mutex_);
  return next_id_++;
}

void OpRegistry::set_state(int64_t id, OpState state) {
  std::lock_guard lock(mutex_);
  if (!current_ || current_->id != id) return;
  if (state == OpState::kDone && current_->state != OpState::kRunning) return;
  current_->state = state;
}

bool OpRegistry::is_current(int64_t id) const {
  std::lock_guard lock(mutex_);
  return current_ && current_->id == id;
}

std::optional<OpRecord> OpRegistry::find(std::string_view name, int64_t id) const {
  std::lock_guard lock(mutex_);
  if (current_ && current_->id == id && current_->name == name) return current_;
  return std::nullopt;
}

bool OpRegistry::busy() const {
  std::lock_guard lock(mutex_);
  return current_ &&
         (current_->state == OpState::kStarting || current_->state == OpState::kRunning);
}

}  // namespace astacus::ops

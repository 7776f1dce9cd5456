#include "node/node_op.h"

#include "manifest/json.h"

namespace astacus::node {

NodeOp::NodeOp(int64_t id, std::string name, std::optional<std::string> result_url)
    : id_(id), name_(std::move(name)), result_url_(std::move(result_url)) {}

void NodeOp::add_total(int64_t n) {
  std::lock_guard lock(mutex_);
  progress_.total += n;
}

void NodeOp::add_handled(int64_t n) {
  std::lock_guard lock(mutex_);
  progress_.handled += n;
}

void NodeOp::add_failed(int64_t n) {
  std::lock_guard lock(mutex_);
  progress_.failed += n;
}

void NodeOp::finish(bool success) {
  std::lock_guard lock(mutex_);
  if (!success && progress_.failed == 0) progress_.failed = 1;
  progress_.final = true;
}

manifest::Progress NodeOp::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

void NodeOp::set_fields(nlohmann::ordered_json fields) {
  std::lock_guard lock(mutex_);
  fields_ = std::move(fields);
}

void NodeOp::set_field(const std::string& name, nlohmann::ordered_json value) {
  std::lock_guard lock(mutex_);
  fields_[name] = std::move(value);
}

nlohmann::ordered_json NodeOp::result(const std::string& hostname, const std::string& az) const {
  std::lock_guard lock(mutex_);
  nlohmann::ordered_json out = fields_;
  out["hostname"] = hostname;
  out["az"] = az;
  out["progress"] = nlohmann::ordered_json(progress_);
  return out;
}

}  // namespace astacus::node

#include "node/node_op.h"

#include "manifest/json.h"
#include "manifest/json_text.h"

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

void NodeOp::set_members(codec::CompressedText members) {
  auto shared = std::make_shared<const codec::CompressedText>(std::move(members));
  std::lock_guard lock(mutex_);
  members_ = std::move(shared);
}

void NodeOp::set_error(const std::string& message) {
  std::lock_guard lock(mutex_);
  members_.reset();
  fields_["error"] = message;
}

NodeOp::ResultPieces NodeOp::result_pieces(const std::string& hostname, const std::string& az,
                                           bool with_members) const {
  ResultPieces pieces;
  std::string fields;
  manifest::Progress progress;
  {
    std::lock_guard lock(mutex_);
    if (with_members && members_ && members_->text_size() > 0) pieces.members = members_;
    fields = manifest::dump_compact(fields_);
    progress = progress_;
  }
  pieces.head.assign(1, '{');
  std::string& out = pieces.tail;
  out.reserve(fields.size() + hostname.size() + az.size() + 128);
  if (pieces.members) out.push_back(',');
  if (fields.size() > 2) {  // not "{}"
    out.append(fields, 1, fields.size() - 2);
    out += ',';
  }
  out += "\"hostname\":";
  manifest::append_json_string(out, hostname);
  out += ",\"az\":";
  manifest::append_json_string(out, az);
  out += ",\"progress\":";
  manifest::append_json(out, progress);
  out += '}';
  return pieces;
}

std::string NodeOp::bare_result_text(const std::string& hostname, const std::string& az) const {
  ResultPieces pieces = result_pieces(hostname, az, /*with_members=*/false);
  return pieces.head + pieces.tail;
}

}  // namespace astacus::node

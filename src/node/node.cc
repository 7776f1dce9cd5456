#include "node/node.h"

#include <spdlog/spdlog.h>

#include "codec/compressed_text.h"
#include "http/client.h"
#include "http/server.h"
#include "node/node_ops.h"

namespace astacus::node {

namespace {
double ttl_param(const http::Request& req) {
  try {
    return std::stod(req.get_param_value("ttl"));
  } catch (...) {
    return -1;
  }
}

/// An op's members (a snapshot's file list and hashes), decompressed as a status reply sends them.
class CompressedBody final : public http::BodySource {
 public:
  explicit CompressedBody(std::shared_ptr<const codec::CompressedText> text) : text_(std::move(text)) {}
  uint64_t size() const override { return text_->text_size(); }
  bool write_to(const std::function<bool(std::string_view)>& out) const override {
    bool refused = false;
    std::function<Status(std::string_view)> forward = [&](std::string_view bytes) -> Status {
      if (out(bytes)) return ok();
      refused = true;
      return make_error(ErrorCode::kUnavailable, "the client went away");
    };
    codec::FunctionSink sink(forward);
    Status st = text_->write(sink);
    if (!st && !refused) spdlog::error("sending an op result failed: {}", st.error().message);
    return st.has_value();
  }

 private:
  std::shared_ptr<const codec::CompressedText> text_;
};

void send_lock_status(http::Reply& reply, const Status& status, bool locked_after) {
  if (status) {
    http::send_json(reply, 200, nlohmann::json{{"locked", locked_after}});
    return;
  }
  http::send_detail(reply, status.error().code == ErrorCode::kForbidden ? 403 : 409,
                    status.error().message);
}
}  // namespace

Node::Node(config::NodeConfig config, std::string hostname)
    : services_(std::move(config), std::move(hostname)) {}

Node::~Node() { shutdown(); }

void Node::shutdown() { runner_.shutdown(); }

void Node::register_lock_routes(httplib::Server& server) {
  server.Post("/node/lock", [this](const http::Request& req, http::Reply& reply) {
    if (!http::require_query(req, reply, {"locker", "ttl"})) return;
    double ttl = ttl_param(req);
    if (ttl < 0) {
      return http::send_validation_errors(
          reply, {http::validation_item({"query", "ttl"}, "value is not a valid integer",
                                        "type_error.integer")});
    }
    send_lock_status(reply, services_.lock().lock(req.get_param_value("locker"), ttl), true);
  });
  server.Post("/node/relock", [this](const http::Request& req, http::Reply& reply) {
    if (!http::require_query(req, reply, {"locker", "ttl"})) return;
    send_lock_status(reply, services_.lock().relock(req.get_param_value("locker"), ttl_param(req)),
                     true);
  });
  server.Post("/node/unlock", [this](const http::Request& req, http::Reply& reply) {
    if (!http::require_query(req, reply, {"locker"})) return;
    send_lock_status(reply, services_.lock().unlock(req.get_param_value("locker")), false);
  });
}

void Node::register_routes(httplib::Server& server) {
  register_lock_routes(server);
  server.Get("/node/metadata", [](const http::Request&, http::Reply& reply) {
    http::send_json(reply, 200,
                    nlohmann::json{{"version", kVersion},
                                   {"features", {"validate_file_hashes", "snapshot_groups",
                                                 "release_snapshot_files"}}});
  });
  // Delta variants share the op name and, for the files plugin, the same snapshotter.
  for (std::string prefix : {"/node/", "/node/delta/"}) {
    server.Post(prefix + "snapshot", [this](const http::Request& req, http::Reply& reply) {
      start_op<SnapshotRequest>(req, reply, "snapshot", run_snapshot);
    });
    server.Post(prefix + "upload", [this](const http::Request& req, http::Reply& reply) {
      start_op<UploadRequest>(req, reply, "upload", run_upload);
    });
    server.Post(prefix + "download", [this](const http::Request& req, http::Reply& reply) {
      start_op<DownloadRequest>(req, reply, "download", run_download);
    });
    server.Post(prefix + "clear", [this](const http::Request& req, http::Reply& reply) {
      start_op<ClearRequest>(req, reply, "clear", run_clear);
    });
    for (std::string name : {"snapshot", "upload", "download", "clear"}) {
      server.Get(prefix + name + R"(/(\d+))", [this, name](const http::Request& req, http::Reply& reply) {
        get_op_status(req, reply, name);
      });
    }
  }
  server.Post("/node/release", [this](const http::Request& req, http::Reply& reply) {
    start_op<ReleaseRequest>(req, reply, "release", run_release);
  });
  server.Get(R"(/node/release/(\d+))", [this](const http::Request& req, http::Reply& reply) {
    get_op_status(req, reply, "release");
  });
}

namespace {

template <typename RequestT>
std::optional<ValidationItems> read_request(const http::Request& req, http::Reply& reply, RequestT& out) {
  auto body = http::parse_json_body(req, reply, nlohmann::json());
  if (!body) return std::nullopt;
  return parse_request(*body, out);
}

// An upload's blob list is converted while it is parsed, never held as a DOM.
std::optional<ValidationItems> read_request(const http::Request& req, http::Reply& reply, UploadRequest& out) {
  UploadHashCollector hashes;
  auto body = http::parse_json_body(req, reply, nlohmann::json(), hashes.callback());
  if (!body) return std::nullopt;
  auto items = parse_request(*body, out);
  hashes.finish(out, items);
  return items;
}

}  // namespace

template <typename RequestT, typename RunFn>
void Node::start_op(const http::Request& req, http::Reply& reply, const std::string& op_name,
                    RunFn run) {
  RequestT request;
  auto problems = read_request(req, reply, request);
  if (!problems) return;
  if (!problems->empty()) return http::send_validation_errors(reply, *problems);
  auto locker = services_.lock().locker();
  if (!locker) return http::send_detail(reply, 409, "Not locked");

  auto record = ops_.start(op_name);
  auto op = std::make_shared<NodeOp>(record.id, op_name, request.result_url);
  {
    std::lock_guard guard(current_mutex_);
    current_ = op;
  }
  http::send_json(reply, 200,
                  nlohmann::ordered_json{{"op_id", record.id},
                                         {"status_url", http::request_origin(req) + req.path + "/" +
                                                            std::to_string(record.id)}});
  runner_.run([this, op, request = std::move(request), run, locker = *locker] {
    ops_.set_state(op->id(), ops::OpState::kRunning);
    auto valid = [this, op] {
      return !runner_.shutting_down() && ops_.is_current(op->id()) && services_.lock().is_locked();
    };
    Status status = run(services_, *op, request, valid);
    finish_op(op, status, locker);
  });
}

void Node::finish_op(const std::shared_ptr<NodeOp>& op, const Status& status,
                     const std::string& locker) {
  if (!status) {
    spdlog::error("node op {} {} failed: {}", op->name(), op->id(), status.error().message);
    op->set_error(status.error().message);
  }
  op->finish(status.has_value());
  ops_.set_state(op->id(), status ? ops::OpState::kDone : ops::OpState::kFail);
  if (!op->result_url() || !ops_.is_current(op->id()) || services_.lock().locker() != locker) return;
  auto body = op->bare_result_text(services_.hostname(), services_.config().az);
  auto sent = http::request("PUT", *op->result_url(), {std::chrono::seconds(10), body});
  if (!sent) spdlog::warn("result callback to {} failed: {}", *op->result_url(), sent.error().message);
}

void Node::get_op_status(const http::Request& req, http::Reply& reply, const std::string& op_name) {
  int64_t id = std::stoll(req.matches[1]);
  std::shared_ptr<NodeOp> op;
  {
    std::lock_guard guard(current_mutex_);
    op = current_;
  }
  if (!op || op->id() != id || op->name() != op_name || !ops_.find(op_name, id)) {
    return http::send_detail(reply, 404, {{"code", "operation_id_mismatch"},
                                          {"op", id},
                                          {"message", "Unknown operation id"}});
  }
  auto pieces = op->result_pieces(services_.hostname(), services_.config().az);
  if (!pieces.members) return http::send_json_text(reply, 200, pieces.head + pieces.tail);
  http::send_json_around(reply, 200, std::move(pieces.head), std::make_shared<CompressedBody>(std::move(pieces.members)),
                         std::move(pieces.tail));
}

}  // namespace astacus::node

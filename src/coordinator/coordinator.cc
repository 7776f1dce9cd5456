#include "coordinator/coordinator.h"

#include <spdlog/spdlog.h>

#include "codec/sha256.h"
#include "base/files.h"
#include "coordinator/cluster_lock.h"
#include "coordinator/restore_request.h"
#include "coordinator/running_op.h"
#include "manifest/json.h"

namespace astacus::coordinator {

Coordinator::Coordinator(config::GlobalConfig config, const PluginRegistry& plugins,
                         std::string hostname, ConfigLoader loader)
    : config_(std::make_shared<const config::GlobalConfig>(std::move(config))),
      plugins_(plugins),
      hostname_(std::move(hostname)),
      loader_(std::move(loader)) {}

Coordinator::~Coordinator() { shutdown(); }

void Coordinator::shutdown() { runner_.shutdown(); }

std::shared_ptr<const config::GlobalConfig> Coordinator::config() const {
  std::lock_guard guard(config_mutex_);
  return config_;
}

Result<std::shared_ptr<storage::ObjectStore>> Coordinator::store(const config::GlobalConfig& config,
                                                                 const std::string& name) {
  if (!config.coordinator.object_storage) {
    return make_error(ErrorCode::kInvalidArgument, "coordinator has no object_storage configured");
  }
  std::lock_guard guard(stores_mutex_);
  auto key = config.config_hash + "/" + name;
  auto it = stores_.find(key);
  if (it != stores_.end()) return it->second;
  std::shared_ptr<storage::ObjectStore> s =
      ASTACUS_TRY(storage::ObjectStore::open(*config.coordinator.object_storage, name));
  stores_[key] = s;
  return s;
}

std::map<std::string, storage::Traffic> Coordinator::store_traffic() {
  std::lock_guard guard(stores_mutex_);
  std::map<std::string, storage::Traffic> out;
  for (const auto& [key, store] : stores_) out[key] = store->traffic();
  return out;
}

// What the coordinator's own stores did since `before` (a store opened since then counts from
// zero). Requests the coordinator served meanwhile for others (GET /list) are included.
void Coordinator::add_store_traffic(storage::TrafficTally& tally,
                                    const std::map<std::string, storage::Traffic>& before) {
  std::lock_guard guard(stores_mutex_);
  for (const auto& [key, store] : stores_) {
    auto it = before.find(key);
    tally.add(store->name(), it == before.end() ? store->traffic() : store->traffic() - it->second);
  }
}

std::string Coordinator::new_locker() {
  return fmt::format("{}-{}-{}", hostname_, ::getpid(), ++locker_counter_);
}

void Coordinator::register_routes(httplib::Server& server) {
  server.Get("/", [](const http::Request&, http::Reply& reply) {
    http::send_json(reply, 200, nlohmann::json::object());
  });
  server.Get("/busy", [this](const http::Request&, http::Reply& reply) {
    http::send_json(reply, 200, nlohmann::json(ops_.busy()));
  });
  server.Get("/config/status", [this](const http::Request&, http::Reply& reply) {
    handle_config_status(reply);
  });
  server.Post("/config/reload", [this](const http::Request&, http::Reply& reply) {
    handle_config_reload(reply);
  });
  server.Post("/backup", [this](const http::Request& req, http::Reply& reply) { handle_backup(req, reply); });
  server.Post("/restore", [this](const http::Request& req, http::Reply& reply) { handle_restore(req, reply); });
  server.Post("/cleanup", [this](const http::Request& req, http::Reply& reply) { handle_cleanup(req, reply); });
  server.Get("/list", [this](const http::Request& req, http::Reply& reply) { handle_list(req, reply); });
  server.Post("/copy", [this](const http::Request& req, http::Reply& reply) { handle_copy(req, reply); });
  server.Post("/lock", [this](const http::Request& req, http::Reply& reply) { handle_lock(req, reply); });
  server.Post("/unlock", [this](const http::Request& req, http::Reply& reply) { handle_unlock(req, reply); });
  server.Post("/delta/backup", [](const http::Request&, http::Reply& reply) {
    http::send_detail(reply, 500, {{"code", "not_supported"},
                                   {"message", "delta backups are not supported by plugin files"}});
  });
  server.Get("/delta/list", [](const http::Request&, http::Reply& reply) {
    http::send_detail(reply, 500, {{"code", "not_supported"},
                                   {"message", "delta backups are not supported by plugin files"}});
  });
  server.Get(R"(/([^/]+)/(\d+))", [this](const http::Request& req, http::Reply& reply) {
    handle_status(req, reply);
  });
  server.Put(R"(/([^/]+)/(\d+)/sub-result)", [this](const http::Request& req, http::Reply& reply) {
    int64_t id = std::stoll(req.matches[2]);
    std::shared_ptr<RunningOp> op;
    {
      std::lock_guard guard(current_mutex_);
      op = current_;
    }
    if (!op || op->id != id || op->name != req.matches[1]) {
      return http::send_detail(reply, 404, {{"code", "operation_id_mismatch"}, {"op", id},
                                            {"message", "Unknown operation id"}});
    }
    op->signal.notify();
    http::send_json(reply, 200, nlohmann::json(nullptr));
  });
}

void Coordinator::handle_status(const http::Request& req, http::Reply& reply) {
  static const std::vector<std::string> kOps = {"backup", "lock", "restore", "unlock", "cleanup"};
  std::string name = req.matches[1];
  int64_t id = std::stoll(req.matches[2]);
  // "copy" is ours; the 422 body keeps Python's list so old clients see the same answer.
  if (name != "copy" && std::find(kOps.begin(), kOps.end(), name) == kOps.end()) {
    nlohmann::ordered_json item = http::validation_item(
        {"path", "op_name"},
        "value is not a valid enumeration member; permitted: 'backup', 'lock', 'restore', "
        "'unlock', 'cleanup'",
        "type_error.enum");
    item["ctx"] = {{"enum_values", kOps}};
    return http::send_validation_errors(reply, {item});
  }
  std::shared_ptr<RunningOp> op;
  {
    std::lock_guard guard(current_mutex_);
    op = current_;
  }
  auto record = ops_.find(name, id);
  if (!record || !op || op->id != id) {
    return http::send_detail(reply, 404, {{"code", "operation_id_mismatch"}, {"op", id},
                                          {"message", "Unknown operation id"}});
  }
  nlohmann::ordered_json out;
  out["state"] = ops::to_string(record->state);
  if (op->has_progress) out["progress"] = nlohmann::ordered_json(op->progress());
  {
    std::lock_guard guard(op->mutex);
    if (!op->error.empty()) out["error"] = op->error;
  }
  auto traffic = op->traffic.to_json();
  if (!traffic.empty()) out["storage_traffic"] = std::move(traffic);
  http::send_json(reply, 200, out);
}

void Coordinator::start_locked_op(const http::Request& req, http::Reply& reply,
                                  const std::string& op_name, const std::string& status_base,
                                  OpBody body) {
  auto cfg = config();
  auto op = std::make_shared<RunningOp>();
  op->config = cfg;
  auto cluster = std::make_shared<Cluster>(cfg->coordinator.nodes, cfg->coordinator.poll);
  auto lock = ClusterLock::acquire(*cluster, new_locker(), cfg->coordinator.default_lock_ttl);
  if (!lock) {
    ops_.consume_id();
    return http::send_detail(reply, 409, {{"code", "cluster_lock_unavailable"},
                                          {"message", lock.error().message}});
  }
  op->lock = std::move(*lock);
  auto record = ops_.start(op_name);
  op->id = record.id;
  op->name = op_name;
  op->has_progress = op_name == "backup" || op_name == "restore" || op_name == "copy";
  op->status_base = http::request_origin(req) + status_base;
  {
    std::lock_guard guard(current_mutex_);
    current_ = op;
  }
  http::send_json(reply, 200, nlohmann::ordered_json{{"op_id", record.id},
                                                     {"status_url", op->status_base + "/" +
                                                                        std::to_string(record.id)}});
  runner_.run([this, op, cluster, body = std::move(body)] {
    ops_.set_state(op->id, ops::OpState::kRunning);
    auto before = store_traffic();
    Status status = body(*op);
    add_store_traffic(op->traffic, before);
    if (!status) {
      spdlog::error("{} op {} failed: {}", op->name, op->id, status.error().message);
      std::lock_guard guard(op->mutex);
      op->error = status.error().message;
    }
    op->lock.reset();  // stops relocking and unlocks every node
    ops_.set_state(op->id, status ? ops::OpState::kDone : ops::OpState::kFail);
  });
}

void Coordinator::handle_config_status(http::Reply& reply) {
  auto cfg = config();
  auto bytes = read_file(cfg->source_path);
  bool needs_reload = !bytes || codec::sha256_hex(*bytes) != cfg->config_hash;
  http::send_json(reply, 200, nlohmann::ordered_json{{"config_hash", cfg->config_hash},
                                                     {"needs_reload", needs_reload}});
}

void Coordinator::handle_config_reload(http::Reply& reply) {
  auto cfg = config();
  auto loaded = loader_(cfg->source_path);
  if (!loaded) return http::send_error(reply, loaded.error());
  {
    std::lock_guard guard(config_mutex_);
    config_ = std::make_shared<const config::GlobalConfig>(std::move(*loaded));
  }
  spdlog::info("configuration reloaded from {}", cfg->source_path);
  http::send_json(reply, 200, nlohmann::json::object());
}

}  // namespace astacus::coordinator

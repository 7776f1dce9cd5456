#pragma once
// The coordinator role of an astacus server (spec §2.2, §7-§9): any server that receives
// /backup, /restore, /cleanup, /list drives the whole cluster. It takes every node's lock,
// keeps it fresh, runs the plugin's steps with attempts, and writes the manifest last.
// Coordinator state lives in memory only; ops do not survive a restart.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/types.h"
#include "coordinator/cluster.h"
#include "coordinator/plugin.h"
#include "http/server.h"
#include "manifest/types.h"
#include "ops/background.h"
#include "ops/op_registry.h"
#include "storage/object_store.h"

namespace astacus::coordinator {

/// Reloads the config file (POST /config/reload).
using ConfigLoader = std::function<Result<config::GlobalConfig>(const std::string& path)>;

class Coordinator {
 public:
  Coordinator(config::GlobalConfig config, const PluginRegistry& plugins, std::string hostname,
              ConfigLoader loader);
  ~Coordinator();

  void register_routes(httplib::Server& server);
  void shutdown();

 private:
  struct RunningOp;
  using OpBody = std::function<Status(RunningOp&)>;

  std::shared_ptr<const config::GlobalConfig> config() const;
  Result<std::shared_ptr<storage::ObjectStore>> store(const config::GlobalConfig& config,
                                                      const std::string& name);

  /// Locks the cluster, makes a new current op, answers the start result and runs `body` in
  /// the background with the lock held (409 cluster_lock_unavailable if the lock fails).
  void start_locked_op(const http::Request& req, http::Reply& reply, const std::string& op_name,
                       const std::string& status_base, OpBody body);
  Status run_attempts(RunningOp& op, const std::function<Result<Steps>()>& make_steps,
                      int attempts, const std::string& storage, const RestoreRequest& restore);

  void handle_backup(const http::Request& req, http::Reply& reply);
  void handle_restore(const http::Request& req, http::Reply& reply);
  void handle_cleanup(const http::Request& req, http::Reply& reply);
  void handle_list(const http::Request& req, http::Reply& reply);
  void handle_copy(const http::Request& req, http::Reply& reply);
  void handle_lock(const http::Request& req, http::Reply& reply);
  void handle_unlock(const http::Request& req, http::Reply& reply);
  void handle_status(const http::Request& req, http::Reply& reply);
  void handle_config_status(http::Reply& reply);
  void handle_config_reload(http::Reply& reply);

  Status run_cleanup(RunningOp& op, const std::string& storage,
                     const config::RetentionConfig& retention,
                     const std::vector<std::string>& explicit_delete);
  Status run_copy(RunningOp& op, const std::string& from, const std::string& to,
                  const std::vector<std::string>& backups);
  Result<nlohmann::ordered_json> list_storage(const config::GlobalConfig& config,
                                              const std::string& name);
  std::string new_locker();
  /// Traffic of every cached store so far, by cache key.
  std::map<std::string, storage::Traffic> store_traffic();
  void add_store_traffic(storage::TrafficTally& tally,
                         const std::map<std::string, storage::Traffic>& before);

  mutable std::mutex config_mutex_;
  std::shared_ptr<const config::GlobalConfig> config_;
  const PluginRegistry& plugins_;
  const std::string hostname_;
  ConfigLoader loader_;

  ops::OpRegistry ops_;
  ops::BackgroundRunner runner_;
  std::mutex current_mutex_;
  std::shared_ptr<RunningOp> current_;
  std::atomic<int64_t> locker_counter_{0};

  std::mutex stores_mutex_;
  std::map<std::string, std::shared_ptr<storage::ObjectStore>> stores_;

  // /list cache: manifest name -> list entry, per storage (manifests are immutable).
  std::mutex list_cache_mutex_;
  std::map<std::string, std::map<std::string, nlohmann::ordered_json>> list_cache_;
  /// Whether the list cache holds the entry of `backup_name` under `cache_key`.
  bool list_cached(const std::string& cache_key, const std::string& backup_name);
};

}  // namespace astacus::coordinator

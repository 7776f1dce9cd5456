// The coordinator's op handlers: backup, restore, cleanup, list, and the debug lock/unlock.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "coordinator/blob_references.h"
#include "coordinator/cluster_lock.h"
#include "coordinator/coordinator.h"
#include "coordinator/list_stats.h"
#include "coordinator/restore_request.h"
#include "coordinator/retention.h"
#include "coordinator/running_op.h"
#include "manifest/json.h"
#include "manifest/naming.h"

namespace astacus::coordinator {

namespace {

bool is_permanent(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
    case ErrorCode::kIoError:
    case ErrorCode::kBusy: return false;
    default: return true;
  }
}

Retention to_retention(const config::RetentionConfig& r) {
  return Retention{r.minimum_backups, r.maximum_backups, r.keep_days};
}

/// Downloads and parses manifest `name`; the text is freed before the parsed manifest returns.
/// A manifest without its file lists (state.files empty, hashes kept) and the list statistics
/// of those lists, summed up as they are read: a parsed list cost ~200 bytes per file of the
/// largest manifest, and `list` and `cleanup` need only these figures from it.
struct ManifestSummary {
  manifest::BackupManifest manifest;
  ClusterFileStats file_stats;
};

Result<ManifestSummary> read_manifest_summary(storage::ObjectStore& store, const std::string& name) {
  DeduplicatedFileStats stats;
  // Streamed: one node's part of the text is held at a time, not the whole manifest.
  manifest::TextFeed feed = [&](const auto& sink) { return store.download_json_each(name, sink); };
  auto parsed = ASTACUS_TRY(manifest::read_manifest_visiting_files(
      feed, name, [&](size_t result, const manifest::SnapshotFile& file) { stats.add(result, file); },
      [&] { stats = DeduplicatedFileStats(); }));
  return ManifestSummary{std::move(parsed), stats.finish()};
}

void send_internal_error(http::Reply& reply, const std::string& code, const std::string& message) {
  http::send_detail(reply, 500, {{"code", code}, {"message", message}});
}

// A node that died in the middle of an upload leaves its temp files (whole blobs, in a local
// storage) behind. This cleanup holds the cluster lock, so no upload of this cluster runs; the
// age keeps clear of anything another writer of the same storage may still be working on.
constexpr std::chrono::hours kStaleTempAge{1};

void remove_stale_temps(storage::ObjectStore& store) {
  auto removed = store.backend().remove_stale_temps(kStaleTempAge);
  if (!removed) {
    spdlog::warn("cleanup: storage '{}': {}", store.name(), removed.error().message);
  } else if (*removed > 0) {
    spdlog::info("cleanup: removed {} temp files of interrupted uploads from storage '{}'", *removed, store.name());
  }
}

}  // namespace

Status Coordinator::run_attempts(RunningOp& op, const std::function<Result<Steps>()>& make_steps,
                                 int attempts, const std::string& storage_name,
                                 const RestoreRequest& restore) {
  const auto& cfg = *op.config;
  std::string site = storage_name.empty() ? cfg.coordinator.object_storage->default_storage : storage_name;
  Cluster cluster(cfg.coordinator.nodes, cfg.coordinator.poll);
  std::optional<Error> last_error;
  for (int attempt = 1; attempt <= std::max(1, attempts); ++attempt) {
    Steps steps = ASTACUS_TRY(make_steps());
    auto store = ASTACUS_TRY(this->store(cfg, site));
    OpContext context;
    context.cluster = &cluster;
    context.store = store.get();
    context.config = &cfg.coordinator;
    context.attempt = attempt;
    context.attempt_start = now_utc();
    context.result_url = fmt::format("{}/{}/sub-result", op.status_base, op.id);
    context.signal = &op.signal;
    context.traffic = &op.traffic;
    context.restore = restore;
    context.cancelled = [this, &op] { return runner_.shutting_down() || (op.lock && op.lock->lost()); };
    context.report_progress = [&op](const std::string& step, const manifest::Progress& p) {
      std::lock_guard guard(op.mutex);
      op.step_progress[step] = p;
    };
    bool attempt_ok = true;
    for (auto& step : steps) {
      if (context.cancelled()) {
        return make_error(ErrorCode::kCancelled,
                          "op cancelled: server shutting down or cluster lock lost");
      }
      spdlog::info("{} {} attempt {}: {}", op.name, op.id, attempt, step->name());
      auto status = step->run(context);
      if (!status) {
        Error error = status.error().with_context(step->name());
        spdlog::warn("{} {} attempt {}/{} failed: {}", op.name, op.id, attempt, attempts, error.message);
        if (is_permanent(error.code) || context.cancelled()) return make_error(error);
        last_error = error;
        attempt_ok = false;
        break;
      }
      if (restore.stop_after_step && *restore.stop_after_step == step->name()) return ok();
    }
    if (attempt_ok) return ok();
  }
  return make_error(last_error->with_context(fmt::format("all {} attempts failed", attempts)));
}

void Coordinator::handle_backup(const http::Request& req, http::Reply& reply) {
  auto cfg = config();
  auto plugin = plugins_.create(cfg->coordinator.plugin);
  if (!plugin) return send_internal_error(reply, "invalid_plugin", plugin.error().message);
  auto valid = (*plugin)->validate(cfg->coordinator.plugin_config);
  if (!valid) return send_internal_error(reply, "invalid_plugin_config", valid.error().message);
  std::shared_ptr<Plugin> shared = std::move(*plugin);
  start_locked_op(req, reply, "backup", "/backup", [this, shared, cfg](RunningOp& op) {
    return run_attempts(
        op, [&] { return shared->backup_steps(cfg->coordinator.plugin_config); },
        cfg->coordinator.backup_attempts, "", RestoreRequest{});
  });
}

void Coordinator::handle_restore(const http::Request& req, http::Reply& reply) {
  auto body = http::parse_json_body(req, reply, nlohmann::json());
  if (!body) return;
  RestoreRequest request;
  auto problems = parse_restore_request(*body, request);
  if (!problems.empty()) return http::send_validation_errors(reply, problems);
  auto cfg = config();
  if (!request.storage.empty() && !cfg->coordinator.object_storage->storages.count(request.storage)) {
    return send_internal_error(reply, "storage_not_found",
                               fmt::format("unknown storage '{}'", request.storage));
  }
  auto plugin = plugins_.create(cfg->coordinator.plugin);
  if (!plugin) return send_internal_error(reply, "invalid_plugin", plugin.error().message);
  auto steps = (*plugin)->restore_steps(cfg->coordinator.plugin_config, request);
  if (!steps) return send_internal_error(reply, "invalid_plugin_config", steps.error().message);
  if (request.stop_after_step) {
    bool known = std::any_of(steps->begin(), steps->end(),
                             [&](const auto& s) { return s->name() == *request.stop_after_step; });
    if (!known) {
      return send_internal_error(reply, "unknown_step",
                                 fmt::format("stop_after_step '{}' is not a step of this restore",
                                             *request.stop_after_step));
    }
  }
  std::shared_ptr<Plugin> shared = std::move(*plugin);
  start_locked_op(req, reply, "restore", "/restore", [this, shared, cfg, request](RunningOp& op) {
    return run_attempts(
        op, [&] { return shared->restore_steps(cfg->coordinator.plugin_config, request); }, 1,
        request.storage, request);
  });
}

void Coordinator::handle_cleanup(const http::Request& req, http::Reply& reply) {
  auto body = http::parse_json_body(req, reply, nlohmann::json());
  if (!body) return;
  CleanupRequest request;
  auto problems = parse_cleanup_request(*body, request);
  if (!problems.empty()) return http::send_validation_errors(reply, problems);
  auto cfg = config();
  config::RetentionConfig retention = cfg->coordinator.retention;
  if (request.retention) {
    auto effective = effective_retention(to_retention(retention), to_retention(*request.retention));
    retention = {effective.minimum_backups, effective.maximum_backups, effective.keep_days};
  } else if (!request.explicit_delete.empty()) {
    // `delete` removes exactly the named backups (Python also applied the config retention).
    retention = config::RetentionConfig{};
  }
  if (!request.storage.empty() && !cfg->coordinator.object_storage->storages.count(request.storage)) {
    return send_internal_error(reply, "storage_not_found",
                               fmt::format("unknown storage '{}'", request.storage));
  }
  start_locked_op(req, reply, "cleanup", "/cleanup", [this, retention, request](RunningOp& op) {
    return run_cleanup(op, request.storage, retention, request.explicit_delete);
  });
}

Status Coordinator::run_cleanup(RunningOp& op, const std::string& storage,
                                const config::RetentionConfig& retention,
                                const std::vector<std::string>& explicit_delete) {
  const auto& cfg = *op.config;
  const std::string storage_name =
      storage.empty() ? cfg.coordinator.object_storage->default_storage : storage;
  auto store = ASTACUS_TRY(this->store(cfg, storage_name));
  std::vector<std::string> names;
  for (auto& n : ASTACUS_TRY(store->list_jsons())) {
    if (manifest::is_backup_name(n)) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  // Only each manifest's times and blob references are kept (distinct blob names once):
  // holding whole parsed manifests, or one name list per manifest, made cleanup the
  // peak-memory op of a server.
  BlobReferences references;
  const std::string list_cache_key = cfg.config_hash + "/" + storage_name;
  std::map<std::string, nlohmann::ordered_json> list_entries;  // new ones, for the next `list`
  std::vector<BackupTimes> times;
  for (const auto& name : names) {
    auto [parsed, file_stats] = ASTACUS_TRY(read_manifest_summary(*store, name));
    times.push_back({name, parsed.start, parsed.end});
    // Parsing a million-file manifest takes seconds: the next `list` reuses this one.
    if (!list_cached(list_cache_key, name)) {
      list_entries[name] = list_entry_to_json(make_list_entry(name, parsed, file_stats));
    }
    references.add(name, parsed);
  }
  std::vector<std::string> to_delete;
  for (const auto& n : explicit_delete) to_delete.push_back(manifest::with_backup_prefix(n));
  auto pruned = prune_backups(times, to_retention(retention), now_utc(), to_delete);
  references.keep(pruned.kept);
  for (const auto& name : pruned.deleted) {
    spdlog::info("cleanup: deleting manifest {} from storage '{}'", name, store->name());
    ASTACUS_CHECK(store->delete_json(name));
    list_entries.erase(name);
  }
  {
    std::lock_guard guard(list_cache_mutex_);
    auto& cache = list_cache_[list_cache_key];
    for (auto& [name, entry] : list_entries) cache[name] = std::move(entry);
  }
  // Only the unreferenced names are kept from the listing (deleting while listing is not safe
  // on every backend).
  std::vector<std::string> unreferenced;
  ASTACUS_CHECK(store->list_hexdigests_each(
      [&](std::string_view digest) {
        if (!references.is_kept(manifest::Hexdigest(digest))) unreferenced.emplace_back(digest);
      },
      /*loose_only=*/true));
  size_t deleted = 0, failed = 0;
  for (const auto& digest : unreferenced) {
    auto status = store->delete_blob(digest);
    if (!status) {
      // Best effort: go on and report; the next cleanup retries.
      spdlog::warn("cleanup: cannot delete blob {}: {}", digest, status.error().message);
      ++failed;
      continue;
    }
    if (++deleted % 100 == 0) spdlog::info("cleanup: deleted {} unreferenced blobs so far", deleted);
  }
  auto swept = store->sweep_packs([&](std::string_view digest) { return references.is_kept(manifest::Hexdigest(digest)); });
  if (!swept) return make_error(swept.error().with_context("cleanup: sweeping packs"));
  failed += swept->failed;
  spdlog::info("cleanup: kept {} backups, deleted {} backups and {} blobs", pruned.kept.size(),
               pruned.deleted.size(), deleted + swept->blobs_removed);
  if (swept->packs_removed + swept->packs_kept > 0) {
    spdlog::info("cleanup: removed {} packs ({} blobs); kept {} packs, holding {} blobs no backup needs", swept->packs_removed,
                 swept->blobs_removed, swept->packs_kept, swept->unreferenced_kept);
  }
  remove_stale_temps(*store);
  if (failed) {
    return errorf(ErrorCode::kIoError, "cleanup could not delete {} unreferenced blobs or packs (see log)", failed);
  }
  return ok();
}

bool Coordinator::list_cached(const std::string& cache_key, const std::string& backup_name) {
  std::lock_guard guard(list_cache_mutex_);
  auto it = list_cache_.find(cache_key);
  return it != list_cache_.end() && it->second.count(backup_name);
}

Result<nlohmann::ordered_json> Coordinator::list_storage(const config::GlobalConfig& config,
                                                         const std::string& name) {
  auto store = ASTACUS_TRY(this->store(config, name));
  std::vector<std::string> names;
  for (auto& n : ASTACUS_TRY(store->list_jsons())) {
    if (manifest::is_backup_name(n)) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  std::map<std::string, nlohmann::ordered_json> entries;
  {
    std::lock_guard guard(list_cache_mutex_);
    auto& cache = list_cache_[config.config_hash + "/" + name];
    for (const auto& n : names) {
      if (cache.count(n)) entries[n] = cache[n];
    }
  }
  for (const auto& n : names) {
    if (entries.count(n)) continue;
    auto [parsed, file_stats] = ASTACUS_TRY(read_manifest_summary(*store, n));
    entries[n] = list_entry_to_json(make_list_entry(n, parsed, file_stats));
  }
  {
    std::lock_guard guard(list_cache_mutex_);
    list_cache_[config.config_hash + "/" + name] = entries;  // drops manifests that went away
  }
  nlohmann::ordered_json backups = nlohmann::ordered_json::array();
  for (const auto& n : names) backups.push_back(entries[n]);
  return nlohmann::ordered_json{{"storage_name", name}, {"backups", backups}};
}

void Coordinator::handle_list(const http::Request& req, http::Reply& reply) {
  auto cfg = config();
  std::string requested = req.get_param_value("storage");
  if (requested.empty() && !req.body.empty()) {
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_discarded() && body.is_string()) requested = body.get<std::string>();
  }
  const auto& storages = cfg->coordinator.object_storage->storages;
  if (!requested.empty() && !storages.count(requested)) {
    return http::send_detail(reply, 404, {{"code", "storage_not_found"},
                                          {"message", fmt::format("unknown storage '{}'", requested)}});
  }
  nlohmann::ordered_json out = {{"storages", nlohmann::ordered_json::array()}};
  for (const auto& [name, site] : storages) {
    if (!requested.empty() && name != requested) continue;
    auto listing = list_storage(*cfg, name);
    if (!listing) return http::send_error(reply, listing.error().with_context("storage '" + name + "'"));
    out["storages"].push_back(*listing);
  }
  http::send_json(reply, 200, out);
}

void Coordinator::handle_lock(const http::Request& req, http::Reply& reply) {
  if (!http::require_query(req, reply, {"locker"})) return;
  std::string locker = req.get_param_value("locker");
  int64_t ttl = req.has_param("ttl") ? std::atoll(req.get_param_value("ttl").c_str()) : 60;
  auto cfg = config();
  auto record = ops_.start("lock");
  auto op = std::make_shared<RunningOp>();
  op->id = record.id;
  op->name = "lock";
  {
    std::lock_guard guard(current_mutex_);
    current_ = op;
  }
  std::string origin = http::request_origin(req);
  http::send_json(reply, 200, nlohmann::ordered_json{
                                  {"op_id", record.id},
                                  {"status_url", fmt::format("{}/lock/{}", origin, record.id)},
                                  {"unlock_url", fmt::format("{}/unlock?locker={}", origin, locker)}});
  runner_.run([this, cfg, op, locker, ttl] {
    ops_.set_state(op->id, ops::OpState::kRunning);
    Cluster cluster(cfg->coordinator.nodes, cfg->coordinator.poll);
    bool locked = cluster.lock(locker, ttl) == LockOutcome::kOk;
    if (!locked) cluster.unlock(locker);
    ops_.set_state(op->id, locked ? ops::OpState::kDone : ops::OpState::kFail);
  });
}

void Coordinator::handle_unlock(const http::Request& req, http::Reply& reply) {
  if (!http::require_query(req, reply, {"locker"})) return;
  std::string locker = req.get_param_value("locker");
  auto cfg = config();
  auto record = ops_.start("unlock");
  auto op = std::make_shared<RunningOp>();
  op->id = record.id;
  op->name = "unlock";
  {
    std::lock_guard guard(current_mutex_);
    current_ = op;
  }
  http::send_json(reply, 200, nlohmann::ordered_json{
                                  {"op_id", record.id},
                                  {"status_url", fmt::format("{}/unlock/{}", http::request_origin(req),
                                                             record.id)}});
  // Python never sent the unlock to the nodes; we do.
  runner_.run([this, cfg, op, locker] {
    ops_.set_state(op->id, ops::OpState::kRunning);
    Cluster cluster(cfg->coordinator.nodes, cfg->coordinator.poll);
    cluster.unlock(locker);
    ops_.set_state(op->id, ops::OpState::kDone);
  });
}

}  // namespace astacus::coordinator

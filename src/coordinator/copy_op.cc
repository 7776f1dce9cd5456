// POST /copy {"from": A, "to": B, "backups": [...]}: migrates backups between storage sites.
// Only blobs the target lacks are shipped, each verified by its hash on the way; a manifest is
// written last, after all its blobs, so an interrupted copy is resumed by running it again.
#include <atomic>
#include <map>
#include <set>
#include <spdlog/spdlog.h>

#include "base/parallel.h"
#include "codec/blake2s.h"
#include "coordinator/coordinator.h"
#include "coordinator/running_op.h"
#include "manifest/json.h"
#include "manifest/naming.h"

namespace astacus::coordinator {

namespace {

constexpr int kCopyThreads = 4;

Result<std::vector<std::string>> backups_to_copy(storage::ObjectStore& from,
                                                 const std::vector<std::string>& requested) {
  auto all = ASTACUS_TRY(from.list_jsons());
  std::set<std::string> present(all.begin(), all.end());
  std::vector<std::string> names;
  if (requested.empty()) {
    for (const auto& n : present) {
      if (manifest::is_backup_name(n)) names.push_back(n);
    }
    return names;
  }
  for (const auto& r : requested) {
    auto name = manifest::with_backup_prefix(r);
    if (!present.count(name)) {
      return errorf(ErrorCode::kNotFound, "backup {} is not in storage '{}'", name, from.name());
    }
    names.push_back(name);
  }
  return names;
}

// Small blobs are copied whole; bigger ones stream (memory does not grow with the blob).
Status copy_blob(storage::ObjectStore& from, storage::ObjectStore& to, const std::string& digest, int64_t size) {
  if (size >= 0 && static_cast<uint64_t>(size) > to.options().stream_threshold) {
    ASTACUS_TRY(to.copy_blob_from(from, digest, static_cast<uint64_t>(size)));
    return ok();
  }
  auto data = ASTACUS_TRY(from.download_blob(digest));
  if (codec::blake2s_hex(data) != digest) {
    return errorf(ErrorCode::kCorruption, "blob data/{} in storage '{}' is corrupt; not copied", digest,
                  from.name());
  }
  ASTACUS_TRY(to.upload_blob_data(digest, data));
  return ok();
}

}  // namespace

void Coordinator::handle_copy(const http::Request& req, http::Reply& reply) {
  auto body = http::parse_json_body(req, reply, nlohmann::json::object());
  if (!body) return;
  std::vector<nlohmann::ordered_json> problems;
  auto text = [&](const char* key, std::string& out) {
    if (!body->is_object() || !body->contains(key) || !(*body)[key].is_string()) {
      problems.push_back(http::validation_item({"body", key}, "field required", "value_error.missing"));
    } else {
      out = (*body)[key].get<std::string>();
    }
  };
  std::string from, to;
  text("from", from);
  text("to", to);
  std::vector<std::string> backups;
  if (body->is_object() && body->contains("backups") && (*body)["backups"].is_array()) {
    for (const auto& b : (*body)["backups"]) {
      if (b.is_string()) backups.push_back(b.get<std::string>());
    }
  }
  if (!problems.empty()) return http::send_validation_errors(reply, problems);
  auto cfg = config();
  for (const auto& site : {from, to}) {
    if (!cfg->coordinator.object_storage->storages.count(site)) {
      return http::send_detail(reply, 404, {{"code", "storage_not_found"},
                                            {"message", fmt::format("unknown storage '{}'", site)}});
    }
  }
  if (from == to) {
    return http::send_detail(reply, 422, {{"code", "same_storage"},
                                          {"message", "copy needs two different storages"}});
  }
  start_locked_op(req, reply, "copy", "/copy", [this, from, to, backups](RunningOp& op) {
    return run_copy(op, from, to, backups);
  });
}

Status Coordinator::run_copy(RunningOp& op, const std::string& from_name, const std::string& to_name,
                             const std::vector<std::string>& requested) {
  auto from = ASTACUS_TRY(store(*op.config, from_name));
  auto to = ASTACUS_TRY(store(*op.config, to_name));
  auto names = ASTACUS_TRY(backups_to_copy(*from, requested));
  auto target_jsons = ASTACUS_TRY(to->list_jsons());
  std::set<std::string> target_has(target_jsons.begin(), target_jsons.end());
  auto target_blobs = ASTACUS_TRY(to->list_hexdigests());
  std::set<std::string> stored(target_blobs.begin(), target_blobs.end());

  // Plan: manifests the target lacks and the blobs they need that it lacks.
  std::vector<std::pair<std::string, std::string>> manifests;  // name, plaintext
  std::map<std::string, int64_t> needed;  // hexdigest -> plaintext size
  for (const auto& name : names) {
    if (target_has.count(name)) continue;
    auto text = ASTACUS_TRY(from->download_json(name));
    auto parsed = ASTACUS_TRY(manifest::parse_manifest(text, name));
    for (const auto& r : parsed.snapshot_results) {
      for (const auto& h : r.hashes.value_or(std::vector<manifest::SnapshotHash>{})) {
        if (!stored.count(h.hexdigest)) needed.emplace(h.hexdigest, h.size);
      }
    }
    manifests.emplace_back(name, std::move(text));
  }
  std::vector<std::pair<std::string, int64_t>> blobs(needed.begin(), needed.end());
  manifest::Progress progress{0, 0, static_cast<int64_t>(blobs.size() + manifests.size()), false};
  auto report = [&op, &progress] {
    std::lock_guard guard(op.mutex);
    op.step_progress["copy"] = progress;
  };
  report();
  spdlog::info("copy {} -> {}: {} backups, {} blobs to ship", from_name, to_name, manifests.size(),
               blobs.size());

  std::mutex mutex;
  std::optional<Error> first_error;
  parallel_for(blobs.size(), kCopyThreads, [&](size_t i) {
    if (runner_.shutting_down() || (op.lock && op.lock->lost())) return;
    auto status = copy_blob(*from, *to, blobs[i].first, blobs[i].second);
    std::lock_guard guard(mutex);
    if (status) {
      ++progress.handled;
    } else {
      ++progress.failed;
      if (!first_error) first_error = status.error();
    }
    report();
  });
  // Blobs shipped so far become durable even when some failed: a resumed copy skips them.
  Status flushed = to->flush();
  from->drop_pack_catalog();  // the source's catalog of packed blobs is not needed any more
  if (first_error) return make_error(*first_error);
  ASTACUS_CHECK(flushed);
  if (runner_.shutting_down() || (op.lock && op.lock->lost())) {
    return make_error(ErrorCode::kCancelled, "copy stopped: server shutting down or cluster lock lost");
  }
  for (const auto& [name, text] : manifests) {
    ASTACUS_TRY(to->upload_json(name, text));
    ++progress.handled;
    report();
  }
  progress.final = true;
  report();
  return ok();
}

}  // namespace astacus::coordinator

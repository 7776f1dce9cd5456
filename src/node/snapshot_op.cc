#include <spdlog/spdlog.h>

#include "base/time.h"
#include "manifest/json_text.h"
#include "node/node_ops.h"
#include "node/traffic_report.h"

namespace astacus::node {

namespace {

// The site to store new small blobs in while reading them: the request's, when it packs them.
std::shared_ptr<storage::ObjectStore> site_for_eager_blobs(NodeServices& services, const SnapshotRequest& request) {
  if (!request.store_small_blobs_to) return nullptr;
  auto store = services.store(*request.store_small_blobs_to);
  if (!store) {
    spdlog::warn("snapshot: small blobs are left to the upload: {}", store.error().message);
    return nullptr;
  }
  return (*store)->options().pack_small_blobs ? *store : nullptr;
}

}  // namespace

Status run_snapshot(NodeServices& services, NodeOp& op, const SnapshotRequest& request,
                    const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  if (!valid()) return make_error(ErrorCode::kCancelled, "snapshot superseded before it started");
  manifest::SnapshotResult result;
  result.start = now_utc();
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  services.stored_by_snapshot() = {};
  std::optional<TrafficReport> traffic;  // reported after `eager` is done with the site
  std::unique_ptr<EagerBlobs> eager;
  if (auto site = site_for_eager_blobs(services, request)) {
    traffic.emplace(op, site);
    eager = std::make_unique<EagerBlobs>(site);
  }
  auto snapshotted = snapshotter->snapshot(request.groups, [&] { return !valid(); }, {}, eager ? &eager->sink() : nullptr);
  if (eager) {
    StoredBySnapshot stored = eager->finish();  // flushed even after a failure: no pack is left open
    if (snapshotted) services.stored_by_snapshot() = std::move(stored);
  }
  auto files = ASTACUS_TRY(std::move(snapshotted));

  manifest::SnapshotState state;
  for (const auto& group : request.groups) state.root_globs.push_back(group.root_glob);
  for (const auto& file : files) {
    result.files += 1;
    result.total_size += file.file_size;
  }
  state.files = std::move(files);
  result.state = std::move(state);
  result.end = now_utc();
  // Written and compressed piece by piece: the text (~300 bytes per file) never exists whole,
  // and the "hashes" are written from the files (a list of them cost 48 bytes per file).
  codec::CompressedText members;
  ASTACUS_CHECK(manifest::write_snapshot_result_members_hashing_files(
      result, [&members](std::string_view piece) { return members.append(piece); }));
  ASTACUS_CHECK(members.finish());
  op.set_members(std::move(members));
  return ok();
}

}  // namespace astacus::node

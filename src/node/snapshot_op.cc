#include "base/time.h"
#include "manifest/json_text.h"
#include "node/node_ops.h"

namespace astacus::node {

Status run_snapshot(NodeServices& services, NodeOp& op, const SnapshotRequest& request,
                    const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  if (!valid()) return make_error(ErrorCode::kCancelled, "snapshot superseded before it started");
  manifest::SnapshotResult result;
  result.start = now_utc();
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  auto files = ASTACUS_TRY(snapshotter->snapshot(request.groups, [&] { return !valid(); }));

  manifest::SnapshotState state;
  for (const auto& group : request.groups) state.root_globs.push_back(group.root_glob);
  std::vector<manifest::SnapshotHash> hashes;
  for (const auto& file : files) {
    result.files += 1;
    result.total_size += file.file_size;
    if (!file.embedded()) hashes.push_back({file.hexdigest, file.file_size});
  }
  state.files = std::move(files);
  result.state = std::move(state);
  result.hashes = std::move(hashes);
  result.end = now_utc();
  std::string members;
  members.reserve(static_cast<size_t>(result.files) * 200 + 256);  // typical entry + its hash
  manifest::append_snapshot_result_members(members, result);
  op.set_members_text(std::move(members));
  return ok();
}

}  // namespace astacus::node

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

#include "base/time.h"
#include "manifest/json_text.h"
#include "node/node_ops.h"

namespace astacus::node {

namespace {

/// Bytes of a file entry and its hash without the path: the keys, a 64-digit hexdigest twice and
/// room for the numbers. Reserving it all up front matters: a text that outgrows its reserve is
/// copied into one twice as large, so 3x its size exists while both do.
constexpr size_t kEntryTextBytes = 270;

size_t members_text_size_estimate(const manifest::SnapshotState& state) {
  size_t bytes = 1024;
  for (const auto& file : state.files) {
    bytes += kEntryTextBytes + file.relative_path.size();
    if (file.content_b64) bytes += file.content_b64->size();
  }
  return bytes;
}

}  // namespace

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
  hashes.reserve(files.size());
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
  members.reserve(members_text_size_estimate(*result.state));
  manifest::append_snapshot_result_members(members, result);
  op.set_members_text(std::move(members));
  return ok();
}

}  // namespace astacus::node

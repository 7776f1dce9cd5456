#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/paths.h"
#include "node/node_ops.h"

namespace astacus::node {

Status run_clear(NodeServices& services, NodeOp& op, const ClearRequest& request,
                 const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  if (!valid()) return make_error(ErrorCode::kCancelled, "clear superseded before it started");
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  auto files = ASTACUS_TRY(snapshotter->snapshot(groups_from_globs(request.root_globs),
                                                 [&] { return !valid(); }));
  op.add_total(static_cast<int64_t>(files.size()));
  for (const auto& file : files) {
    if (!valid()) return make_error(ErrorCode::kCancelled, "clear stopped: node lock lost");
    auto path = ASTACUS_TRY(confine(services.config().root, file.relative_path));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return errorf(ErrorCode::kIoError, "cannot remove '{}': {}", path.string(), std::strerror(errno));
    }
    op.add_handled(1);
  }
  return ok();
}

Status run_release(NodeServices& services, NodeOp& /*op*/, const ReleaseRequest& request,
                   const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  if (!valid()) return make_error(ErrorCode::kCancelled, "release superseded before it started");
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  return snapshotter->release(request.hexdigests);
}

}  // namespace astacus::node

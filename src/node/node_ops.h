#pragma once
// The bodies of the node's async ops (spec §6). Each runs on a background thread, reports
// through its NodeOp, and returns an Error naming what failed. `valid()` is false once the
// op was superseded or the node lock was lost: the op then stops at the next file.

#include <functional>

#include "base/result.h"
#include "node/node_op.h"
#include "node/node_services.h"
#include "node/requests.h"

namespace astacus::node {

using StillValid = std::function<bool()>;

/// Snapshot the root per the groups; result = SnapshotResult.
Status run_snapshot(NodeServices& services, NodeOp& op, const SnapshotRequest& request,
                    const StillValid& valid);
/// Upload the requested blobs not yet stored; result = {total_size, total_stored_size}.
Status run_upload(NodeServices& services, NodeOp& op, const UploadRequest& request,
                  const StillValid& valid);
/// Restore snapshot_results[snapshot_index] of a backup into the root.
Status run_download(NodeServices& services, NodeOp& op, const DownloadRequest& request,
                    const StillValid& valid);
/// Delete every file matching the globs.
Status run_clear(NodeServices& services, NodeOp& op, const ClearRequest& request,
                 const StillValid& valid);
/// Drop the root_link copies of files with these digests.
Status run_release(NodeServices& services, NodeOp& op, const ReleaseRequest& request,
                   const StillValid& valid);

}  // namespace astacus::node

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <string_view>
#include <utility>
#include <spdlog/spdlog.h>

#include "base/parallel.h"
#include "node/node_ops.h"
#include "node/traffic_report.h"

namespace astacus::node {

namespace {

bool is_plain_file(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

struct UploadTotals {
  std::atomic<int64_t> size{0};
  std::atomic<int64_t> stored{0};
  int64_t stored_by_snapshot = 0;  // blobs the snapshot stored (node/eager_blobs.h)
};

// Uploads one blob from the first candidate link copy that still has the snapshotted content
// (spec §6.4). With `validate`, a file whose content changed since the snapshot is skipped for
// the next candidate (nothing is stored): the bytes read are hashed in the same pass, unless the
// file still has the identity it had when this process's snapshot hashed it (then the identity
// is checked before and after the read instead; see Snapshotter::vouched_identity).
Status upload_one(snapshot::Snapshotter& snapshotter, storage::ObjectStore& store,
                  const manifest::SnapshotHash& hash, const std::vector<std::string_view>& rels,
                  bool validate, UploadTotals& totals) {
  for (std::string_view rel : rels) {
    auto path = ASTACUS_TRY(snapshotter.link_path(rel));
    // A file the snapshot just hashed, still untouched, is not hashed a second time.
    auto vouched = validate ? snapshotter.vouched_identity(rel, hash.hexdigest) : std::nullopt;
    auto stored = store.upload_blob(hash.hexdigest, path, static_cast<uint64_t>(hash.size), validate, vouched);
    // A link copy that is gone or not a plain file any more: the next candidate may do. (Checked
    // only after a NotFound, which storage could also have caused: an lstat before every upload
    // walked the path a second time.)
    if (!stored && stored.error().code == ErrorCode::kNotFound && !is_plain_file(path)) continue;
    if (!stored && stored.error().code == ErrorCode::kConflict) {
      spdlog::warn("upload: skipping '{}' for {}: {}", rel, hash.hexdigest, stored.error().message);
      continue;
    }
    if (!stored) return make_error(stored.error());
    totals.size += hash.size;
    totals.stored += static_cast<int64_t>(*stored);
    return ok();
  }
  return errorf(ErrorCode::kNotFound,
                "no file with the snapshotted content of {} is left on this node (changed or "
                "removed since the snapshot)",
                hash.hexdigest);
}

/// The blobs an upload stores and the snapshot paths that hold each. Sorted vectors: for a
/// million new files a hash map of paths by digest, the snapshot's whole file list and a set of
/// the requested digests cost about 500 bytes per blob, these about 100.
struct UploadPlan {
  std::vector<manifest::SnapshotHash> blobs;              // each hexdigest once, sorted by it
  std::vector<std::pair<uint32_t, std::string>> holders;  // (blob index, relative path), sorted
  std::vector<uint32_t> order;                            // blob indices, biggest blob first

  /// The paths holding blob `index`, in path order.
  std::vector<std::string_view> paths_of(uint32_t index) const {
    auto first = std::lower_bound(holders.begin(), holders.end(), std::pair<uint32_t, std::string>(index, ""));
    std::vector<std::string_view> out;
    for (auto it = first; it != holders.end() && it->first == index; ++it) out.push_back(it->second);
    return out;
  }
};

bool digest_less(const manifest::SnapshotHash& a, const manifest::SnapshotHash& b) {
  return a.hexdigest < b.hexdigest;
}

// The requested blobs, each once (the first size given for it), and their holders from one read
// of the snapshot DB rather than a query per blob: the queries serialised the upload threads on
// the DB's mutex. NotFound names a requested blob that no snapshot file holds. Blobs the
// snapshot already stored in `storage` count as uploaded at once (`totals`) and are not planned.
Result<UploadPlan> plan_upload(const snapshot::Snapshotter& snapshotter, const std::vector<manifest::SnapshotHash>& hashes,
                               const StoredBySnapshot& stored_by_snapshot, const std::string& storage,
                               UploadTotals& totals) {
  UploadPlan plan;
  plan.blobs = hashes;
  std::stable_sort(plan.blobs.begin(), plan.blobs.end(), digest_less);
  plan.blobs.erase(std::unique(plan.blobs.begin(), plan.blobs.end(),
                               [](const auto& a, const auto& b) { return a.hexdigest == b.hexdigest; }),
                   plan.blobs.end());
  std::erase_if(plan.blobs, [&](const manifest::SnapshotHash& blob) {
    auto stored = stored_by_snapshot.find(storage, blob.hexdigest);  // durable since the snapshot
    if (!stored) return false;
    totals.size += blob.size;
    totals.stored += static_cast<int64_t>(*stored);
    ++totals.stored_by_snapshot;
    return true;
  });
  plan.holders.reserve(plan.blobs.size());  // most blobs have one holder: no growth by doubling
  ASTACUS_CHECK(snapshotter.for_each_digest([&](std::string_view rel, const manifest::Hexdigest& hexdigest) {
    if (hexdigest.empty()) return;
    manifest::SnapshotHash key{hexdigest, 0};
    auto it = std::lower_bound(plan.blobs.begin(), plan.blobs.end(), key, digest_less);
    if (it == plan.blobs.end() || it->hexdigest != hexdigest) return;
    plan.holders.emplace_back(static_cast<uint32_t>(it - plan.blobs.begin()), std::string(rel));
  }));
  std::sort(plan.holders.begin(), plan.holders.end());
  std::vector<bool> held(plan.blobs.size());
  for (const auto& holder : plan.holders) held[holder.first] = true;
  for (size_t i = 0; i < plan.blobs.size(); ++i) {
    if (!held[i]) {
      return errorf(ErrorCode::kNotFound, "hexdigest {} is not in this node's snapshot; take a new snapshot first",
                    plan.blobs[i].hexdigest);
    }
  }
  plan.order.resize(plan.blobs.size());  // a request of 2^32 blobs would be a 200 GB body
  std::iota(plan.order.begin(), plan.order.end(), 0u);
  std::stable_sort(plan.order.begin(), plan.order.end(),
                   [&](uint32_t a, uint32_t b) { return plan.blobs[a].size > plan.blobs[b].size; });
  return plan;
}

}  // namespace

Status run_upload(NodeServices& services, NodeOp& op, const UploadRequest& request,
                  const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  auto store = ASTACUS_TRY(services.store(request.storage));
  TrafficReport traffic(op, store);
  store->rotate_data_key();  // each backup gets its own data key (astdk1 format)
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  UploadTotals totals;
  const UploadPlan plan =
      ASTACUS_TRY(plan_upload(*snapshotter, request.hashes, services.stored_by_snapshot(), store->name(), totals));
  op.add_total(static_cast<int64_t>(plan.blobs.size()) + totals.stored_by_snapshot);
  op.add_handled(totals.stored_by_snapshot);
  std::mutex error_mutex;
  std::optional<Error> first_error;
  parallel_for(plan.order.size(), services.config().parallel.uploads, [&](size_t k) {
    if (!valid()) {
      op.add_failed(1);
      return;
    }
    uint32_t i = plan.order[k];
    const manifest::SnapshotHash& blob = plan.blobs[i];
    auto status = upload_one(*snapshotter, *store, blob, plan.paths_of(i), request.validate_file_hashes, totals);
    if (status) {
      op.add_handled(1);
      return;
    }
    spdlog::error("upload of {} to storage '{}' failed: {}", blob.hexdigest, store->name(),
                  status.error().message);
    op.add_failed(1);
    std::lock_guard guard(error_mutex);
    if (!first_error) first_error = status.error();
  });
  // Before success is reported (and a manifest may refer to the blobs) they must be durable;
  // after a failure, flushing keeps what was uploaded for the next attempt.
  Status flushed = store->flush();
  services.stored_by_snapshot() = {};
  nlohmann::ordered_json fields;
  fields["total_size"] = totals.size.load();
  fields["total_stored_size"] = totals.stored.load();
  op.set_fields(std::move(fields));
  if (!valid()) return make_error(ErrorCode::kCancelled, "upload stopped: node lock lost or op superseded");
  if (first_error) return make_error(*first_error);
  return flushed;
}

}  // namespace astacus::node

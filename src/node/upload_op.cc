#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <string_view>
#include <unordered_map>
#include <spdlog/spdlog.h>

#include "base/parallel.h"
#include "node/node_ops.h"
#include "node/traffic_report.h"

namespace astacus::node {

namespace {

struct UploadTotals {
  std::atomic<int64_t> size{0};
  std::atomic<int64_t> stored{0};
};

bool is_plain_file(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

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
    if (!is_plain_file(path)) continue;
    // A file the snapshot just hashed, still untouched, is not hashed a second time.
    auto vouched = validate ? snapshotter.vouched_identity(rel, hash.hexdigest) : std::nullopt;
    auto stored = store.upload_blob(hash.hexdigest, path, static_cast<uint64_t>(hash.size), validate, vouched);
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

std::vector<manifest::SnapshotHash> unique_biggest_first(std::vector<manifest::SnapshotHash> hashes) {
  std::unordered_map<manifest::Hexdigest, int64_t> seen;
  std::vector<manifest::SnapshotHash> out;
  for (auto& h : hashes) {
    if (seen.emplace(h.hexdigest, h.size).second) out.push_back(std::move(h));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size > b.size; });
  return out;
}

/// Snapshot paths by hexdigest (sorted within each), from one read of the snapshot DB rather
/// than a query per blob: the queries serialised the upload threads on the DB's mutex.
using PathsByHexdigest = std::unordered_map<manifest::Hexdigest, std::vector<std::string_view>>;

PathsByHexdigest index_paths(const std::vector<manifest::SnapshotFile>& files) {
  PathsByHexdigest out;
  for (const auto& f : files) {
    if (!f.hexdigest.empty()) out[f.hexdigest].push_back(f.relative_path);
  }
  return out;
}

}  // namespace

Status run_upload(NodeServices& services, NodeOp& op, const UploadRequest& request,
                  const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  auto store = ASTACUS_TRY(services.store(request.storage));
  TrafficReport traffic(op, store);
  store->rotate_data_key();  // each backup gets its own data key (astdk1 format)
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  auto hashes = unique_biggest_first(request.hashes);
  const auto snapshot_files = ASTACUS_TRY(snapshotter->files());
  const PathsByHexdigest paths = index_paths(snapshot_files);
  for (const auto& h : hashes) {
    if (!paths.count(h.hexdigest)) {
      return errorf(ErrorCode::kNotFound,
                    "hexdigest {} is not in this node's snapshot; take a new snapshot first",
                    h.hexdigest);
    }
  }
  op.add_total(static_cast<int64_t>(hashes.size()));
  UploadTotals totals;
  std::mutex error_mutex;
  std::optional<Error> first_error;
  parallel_for(hashes.size(), services.config().parallel.uploads, [&](size_t i) {
    if (!valid()) {
      op.add_failed(1);
      return;
    }
    auto status = upload_one(*snapshotter, *store, hashes[i], paths.at(hashes[i].hexdigest),
                             request.validate_file_hashes, totals);
    if (status) {
      op.add_handled(1);
      return;
    }
    spdlog::error("upload of {} to storage '{}' failed: {}", hashes[i].hexdigest, store->name(),
                  status.error().message);
    op.add_failed(1);
    std::lock_guard guard(error_mutex);
    if (!first_error) first_error = status.error();
  });
  // Before success is reported (and a manifest may refer to the blobs) they must be durable;
  // after a failure, flushing keeps what was uploaded for the next attempt.
  Status flushed = store->flush();
  nlohmann::ordered_json fields;
  fields["total_size"] = totals.size.load();
  fields["total_stored_size"] = totals.stored.load();
  op.set_fields(std::move(fields));
  if (!valid()) return make_error(ErrorCode::kCancelled, "upload stopped: node lock lost or op superseded");
  if (first_error) return make_error(*first_error);
  return flushed;
}

}  // namespace astacus::node

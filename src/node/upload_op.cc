#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <spdlog/spdlog.h>

#include "base/parallel.h"
#include "codec/blake2s.h"
#include "node/node_ops.h"

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

bool content_matches(const std::filesystem::path& path, const manifest::SnapshotHash& hash) {
  auto digest = codec::blake2s_file_hex(path, static_cast<uint64_t>(hash.size));
  return digest && *digest == hash.hexdigest;
}

// Uploads one blob from the first candidate link copy that still has the snapshotted content
// (spec §6.4): a file changed before upload is skipped, one changed during upload is deleted
// from storage again and the next candidate is tried.
Status upload_one(snapshot::Snapshotter& snapshotter, storage::ObjectStore& store,
                  const manifest::SnapshotHash& hash, bool validate, UploadTotals& totals) {
  for (const auto& rel : ASTACUS_TRY(snapshotter.paths_with_hexdigest(hash.hexdigest))) {
    auto path = ASTACUS_TRY(snapshotter.link_path(rel));
    if (!is_plain_file(path)) continue;
    if (validate && !content_matches(path, hash)) {
      spdlog::warn("upload: '{}' changed before upload, skipping it for {}", rel, hash.hexdigest);
      continue;
    }
    auto stored = ASTACUS_TRY(store.upload_blob(hash.hexdigest, path, static_cast<uint64_t>(hash.size)));
    if (validate && !content_matches(path, hash)) {
      spdlog::warn("upload: '{}' changed during upload, removing blob {}", rel, hash.hexdigest);
      ignore_error(store.delete_blob(hash.hexdigest), "the blob is rewritten or retried anyway");
      continue;
    }
    totals.size += hash.size;
    totals.stored += static_cast<int64_t>(stored);
    return ok();
  }
  return errorf(ErrorCode::kNotFound,
                "no file with the snapshotted content of {} is left on this node (changed or "
                "removed since the snapshot)",
                hash.hexdigest);
}

std::vector<manifest::SnapshotHash> unique_biggest_first(std::vector<manifest::SnapshotHash> hashes) {
  std::map<std::string, int64_t> seen;
  std::vector<manifest::SnapshotHash> out;
  for (auto& h : hashes) {
    if (seen.emplace(h.hexdigest, h.size).second) out.push_back(std::move(h));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.size > b.size; });
  return out;
}

}  // namespace

Status run_upload(NodeServices& services, NodeOp& op, const UploadRequest& request,
                  const StillValid& valid) {
  std::lock_guard lock(services.snapshot_mutex());
  auto store = ASTACUS_TRY(services.store(request.storage));
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  auto hashes = unique_biggest_first(request.hashes);
  for (const auto& h : hashes) {
    if (ASTACUS_TRY(snapshotter->paths_with_hexdigest(h.hexdigest)).empty()) {
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
    auto status = upload_one(*snapshotter, *store, hashes[i], request.validate_file_hashes, totals);
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
  nlohmann::ordered_json fields;
  fields["total_size"] = totals.size.load();
  fields["total_stored_size"] = totals.stored.load();
  op.set_fields(std::move(fields));
  if (!valid()) return make_error(ErrorCode::kCancelled, "upload stopped: node lock lost or op superseded");
  if (first_error) return make_error(*first_error);
  return ok();
}

}  // namespace astacus::node

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <spdlog/spdlog.h>

#include "base/encoding.h"
#include "base/files.h"
#include "base/paths.h"
#include "base/parallel.h"
#include "codec/blake2s.h"
#include "manifest/json.h"
#include "node/node_ops.h"
#include "node/restore_writer.h"
#include "node/traffic_report.h"

namespace astacus::node {

namespace {

using FileMap = std::map<std::string, manifest::SnapshotFile>;

// Same content already on disk (spec §6.6 step 6: size, hexdigest and embedded content equal).
bool already_present(const FileMap& local, const manifest::SnapshotFile& wanted) {
  auto it = local.find(wanted.relative_path);
  if (it == local.end()) return false;
  const auto& have = it->second;
  return have.file_size == wanted.file_size && have.hexdigest == wanted.hexdigest &&
         have.content_b64 == wanted.content_b64;
}

// An identical file keeps its inode and content; only a differing mtime is put back.
Status touch_if_needed(const std::filesystem::path& root, const FileMap& local,
                       const manifest::SnapshotFile& wanted) {
  if (local.at(wanted.relative_path).mtime_ns == wanted.mtime_ns) return ok();
  auto target = ASTACUS_TRY(prepare_target(root, wanted.relative_path));
  return set_mtime(target, wanted.mtime_ns);
}

Result<manifest::SnapshotResult> load_node_snapshot(NodeServices& services,
                                                    const DownloadRequest& request) {
  auto store = ASTACUS_TRY(services.store(request.storage));
  if (request.snapshot_index < 0) {
    return errorf(ErrorCode::kInvalidArgument, "backup {}: snapshot index {} is out of range",
                  request.backup_name, request.snapshot_index);
  }
  // Streamed, and only this node's part is kept and converted: the whole manifest text (every
  // node's list) was the peak of a node's restore.
  bool read_failed = false;  // storage's errors (a missing manifest: NotFound) pass unchanged
  manifest::TextFeed feed = [&](const auto& sink) {
    Status read = store->download_json_each(request.backup_name, sink);
    read_failed = read_failed || !read;
    return read;
  };
  auto result = manifest::read_manifest_snapshot_result(feed, request.backup_name,
                                                        static_cast<size_t>(request.snapshot_index));
  if (!result && !read_failed && result.error().code == ErrorCode::kNotFound) {  // no such index
    return make_error(ErrorCode::kInvalidArgument, result.error().message);
  }
  return result;
}

Status restore_embedded(const std::filesystem::path& root, const FileMap& local,
                        const manifest::SnapshotFile& file) {
  if (already_present(local, file)) return touch_if_needed(root, local, file);
  auto data = ASTACUS_TRY(base64_decode(*file.content_b64));
  return write_restored_file(root, file.relative_path, data, file.mtime_ns);
}

Status corrupt_blob_error(const storage::ObjectStore& store, const std::string& hexdigest, const Error& why) {
  return errorf(ErrorCode::kCorruption,
                "blob data/{} in storage '{}' is corrupt: {}; existing files were left untouched", hexdigest,
                store.name(), why.message);
}

// A blob too big for memory: streamed into a temp file beside the first path, verified, renamed
// into place; the other paths sharing it are copied from that file.
Status restore_big_blob(storage::ObjectStore& store, const std::filesystem::path& root,
                        const std::vector<const manifest::SnapshotFile*>& missing) {
  const manifest::SnapshotFile& first = *missing.front();
  auto file = ASTACUS_TRY(StreamedFile::create(root, first.relative_path));
  codec::VerifyingSink verified(*file, static_cast<uint64_t>(first.file_size));
  Status fetched = store.download_blob_to(first.hexdigest, verified);
  if (fetched) fetched = verified.check(first.hexdigest);
  if (!fetched) {
    if (fetched.error().code != ErrorCode::kCorruption) return fetched;
    return corrupt_blob_error(store, first.hexdigest, fetched.error());
  }
  ASTACUS_CHECK(file->commit(first.mtime_ns));
  for (size_t i = 1; i < missing.size(); ++i) {
    ASTACUS_CHECK(copy_restored_file(file->target(), root, missing[i]->relative_path, missing[i]->mtime_ns));
  }
  return ok();
}

// Fetches one blob (once for all files sharing it), verifies its hash, writes every path
// that lacks it.
Status restore_blob(storage::ObjectStore& store, const std::filesystem::path& root,
                    const FileMap& local, const std::vector<const manifest::SnapshotFile*>& group) {
  std::vector<const manifest::SnapshotFile*> missing;
  for (const auto* file : group) {
    if (already_present(local, *file)) {
      ASTACUS_CHECK(touch_if_needed(root, local, *file));
    } else {
      missing.push_back(file);
    }
  }
  if (missing.empty()) return ok();
  const std::string& hexdigest = group.front()->hexdigest;
  if (static_cast<uint64_t>(group.front()->file_size) > store.options().stream_threshold) {
    return restore_big_blob(store, root, missing);
  }
  auto data = ASTACUS_TRY(store.download_blob(hexdigest));
  std::string actual = codec::blake2s_hex(data);
  if (actual != hexdigest) {
    return corrupt_blob_error(store, hexdigest, Error{ErrorCode::kCorruption, "its content hashes to " + actual});
  }
  for (const auto* file : missing) {
    ASTACUS_CHECK(write_restored_file(root, file->relative_path, data, file->mtime_ns));
  }
  return ok();
}

}  // namespace

Status run_download(NodeServices& services, NodeOp& op, const DownloadRequest& request,
                    const StillValid& valid) {
  auto store = ASTACUS_TRY(services.store(request.storage));
  TrafficReport traffic(op, store);
  // The catalog of packed blobs would otherwise stay in the server until the next restore.
  struct DropCatalog {
    storage::ObjectStore& store;
    ~DropCatalog() { store.drop_pack_catalog(); }
  } drop_catalog{*store};
  auto snapshot_result = ASTACUS_TRY(load_node_snapshot(services, request));
  std::vector<manifest::SnapshotFile> wanted;
  if (snapshot_result.state) wanted = std::move(snapshot_result.state->files);
  for (const auto& f : wanted) op.add_total(1 + f.file_size);

  std::lock_guard lock(services.snapshot_mutex());
  if (!valid()) return make_error(ErrorCode::kCancelled, "download superseded before it started");
  snapshot::Snapshotter* snapshotter = ASTACUS_TRY(services.snapshotter());
  auto current = ASTACUS_TRY(snapshotter->scan(groups_from_globs(request.root_globs),
                                               [&] { return !valid(); }));
  FileMap local;
  for (auto& f : current) local.emplace(f.relative_path, std::move(f));
  std::vector<manifest::SnapshotFile>().swap(current);  // moved from: its array would stay to the end
  const std::filesystem::path root = services.config().root;

  for (const auto& file : wanted) {
    if (!file.embedded()) continue;
    ASTACUS_CHECK(restore_embedded(root, local, file).map_error(
        [&](Error e) { return e.with_context("restoring '" + file.relative_path + "'"); }));
    op.add_handled(1 + file.file_size);
  }

  std::map<std::string, std::vector<const manifest::SnapshotFile*>> by_digest;
  for (const auto& file : wanted) {
    if (!file.embedded()) by_digest[file.hexdigest].push_back(&file);
  }
  std::vector<std::vector<const manifest::SnapshotFile*>> groups;
  for (auto& [digest, group] : by_digest) groups.push_back(std::move(group));
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return a.front()->file_size > b.front()->file_size;
  });

  std::mutex error_mutex;
  std::optional<Error> first_error;
  parallel_for(groups.size(), services.config().parallel.downloads, [&](size_t i) {
    {
      std::lock_guard guard(error_mutex);
      if (first_error) return;
    }
    if (!valid()) return;
    auto status = restore_blob(*store, root, local, groups[i]);
    int64_t bytes = 0;
    for (const auto* f : groups[i]) bytes += 1 + f->file_size;
    if (status) {
      op.add_handled(bytes);
      return;
    }
    op.add_failed(1);
    std::lock_guard guard(error_mutex);
    if (!first_error) first_error = status.error();
  });
  if (first_error) return make_error(*first_error);
  if (!valid()) return make_error(ErrorCode::kCancelled, "download stopped: node lock lost or op superseded");

  // One filesystem sync makes every restored file durable before success is reported.
  ASTACUS_CHECK(sync_filesystem(root));

  // Files matching the globs that the backup does not have go (spec §6.6 step 9).
  std::set<std::string> keep;
  for (const auto& f : wanted) keep.insert(f.relative_path);
  for (const auto& [rel, file] : local) {
    if (keep.count(rel)) continue;
    auto path = ASTACUS_TRY(confine(root, rel));
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return errorf(ErrorCode::kIoError, "cannot remove '{}' (not in the backup): {}", path.string(),
                    std::strerror(errno));
    }
  }
  return ok();
}

}  // namespace astacus::node

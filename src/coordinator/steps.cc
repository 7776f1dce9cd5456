#include "coordinator/steps.h"

#include <algorithm>
#include <functional>
#include <future>
#include <system_error>
#include <spdlog/spdlog.h>

#include "coordinator/node_mapping.h"
#include "codec/stream.h"
#include "coordinator/upload_plan.h"
#include "manifest/json.h"
#include "manifest/json_text.h"
#include "manifest/naming.h"

namespace astacus::coordinator {

namespace {

nlohmann::json group_json(const snapshot::SnapshotGroup& group) {
  nlohmann::json j = {{"root_glob", group.root_glob}, {"excluded_names", group.excluded_names}};
  j["embedded_file_size_max"] = group.embedded_file_size_max
                                    ? nlohmann::json(*group.embedded_file_size_max)
                                    : nlohmann::json(nullptr);
  return j;
}

/// Storage's blob names as a set, filled as the listing streams: the names never exist all at
/// once as strings (~112 bytes each, the set holds 43-85).
Result<HexdigestSet> list_hexdigest_set(storage::ObjectStore& store) {
  HexdigestSet out;
  // Sized from the last listing (plus what a backup may have added since): no doubling.
  size_t hint = store.blobs_last_listed();
  out.reserve(hint + hint / 16);
  ASTACUS_CHECK(store.list_hexdigests_each([&](std::string_view name) { out.insert(manifest::Hexdigest(name)); }));
  return out;
}

Result<std::vector<Cluster::NodeOpResult>> run_on_nodes(
    OpContext& context, const std::string& step, const std::string& subpath,
    const NodeBodies& body_of,
    const std::function<Status(size_t, Cluster::NodeOpResult&)>& on_final = nullptr,
    const NodeAnswerStreams& answer_streams = nullptr) {
  auto results = context.cluster->run_node_op(
      subpath, body_of, context.result_url, *context.signal,
      [&](const manifest::Progress& p) { context.report_progress(step, p); }, context.cancelled, on_final,
      answer_streams);
  if (results && context.traffic) {
    for (const auto& r : *results) {
      const auto& summary = r.summary;
      if (summary.is_object() && summary.contains("storage_traffic")) {
        context.traffic->add_json(summary["storage_traffic"]);
      }
    }
  }
  return results;
}

Result<std::vector<Cluster::NodeOpResult>> run_on_nodes(
    OpContext& context, const std::string& step, const std::string& subpath,
    const std::vector<std::optional<nlohmann::json>>& bodies,
    const std::function<Status(size_t, Cluster::NodeOpResult&)>& on_final = nullptr,
    const NodeAnswerStreams& answer_streams = nullptr) {
  std::vector<std::optional<std::string>> texts(bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (bodies[i]) texts[i] = bodies[i]->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  NodeBodies body_of = [&texts](size_t i) { return std::move(texts[i]); };
  return run_on_nodes(context, step, subpath, body_of, on_final, answer_streams);
}

/// {"hashes":[{"hexdigest":..,"size":..},...],"storage":..,"validate_file_hashes":true} as text:
/// as a DOM, a million-blob list cost ~1 KB per blob on the coordinator.
std::string upload_body(const std::vector<manifest::SnapshotHash>& hashes, const std::string& storage) {
  std::string out;
  out.reserve(hashes.size() * 100 + 128);
  out += "{\"hashes\":[";
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (i) out += ',';
    manifest::append_json(out, hashes[i]);
  }
  out += "],\"storage\":";
  manifest::append_json_string(out, storage);
  out += ",\"validate_file_hashes\":true}";
  return out;
}

}  // namespace

Status SnapshotStep::run(OpContext& context) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : groups_) groups.push_back(group_json(g));
  nlohmann::json body{{"groups", groups}};
  // Nodes store new small blobs while they read them when the site packs them (node/eager_blobs.h).
  if (context.store && context.store->options().pack_small_blobs) body["store_small_blobs_to"] = context.store->name();
  std::vector<std::optional<nlohmann::json>> bodies(context.cluster->size(), body);
  if (context.store && !context.hexdigest_listing.valid()) {
    storage::ObjectStore* store = context.store;
    try {
      context.hexdigest_listing = std::async(std::launch::async, [store] { return list_hexdigest_set(*store); });
    } catch (const std::system_error&) {
      // No thread to spare: ListHexdigestsStep lists after the snapshot instead.
    }
  }
  // Each node's answer (~200 bytes per file) is read as it arrives, its file list kept
  // compressed, so the coordinator never holds a node's text or parsed list. An answer the
  // reader leaves to the whole-text parser arrives whole and is read and freed at once.
  context.snapshot_file_lists = NodeFileLists(bodies.size());
  std::vector<std::optional<manifest::SnapshotResult>> parsed(bodies.size());
  std::vector<std::shared_ptr<NodeFileLists::AnswerReader>> last_reader(bodies.size());  // by node
  NodeAnswerStreams readers = [&](size_t i) -> std::shared_ptr<NodeAnswerStream> {
    last_reader[i] = NodeFileLists::reader();
    return last_reader[i];
  };
  auto convert = [&](size_t i, Cluster::NodeOpResult& result) -> Status {
    auto one = result.streamed ? context.snapshot_file_lists.take(i, *last_reader[i])
                               : context.snapshot_file_lists.read(i, result.body);
    if (!one) return make_error(one.error().with_context(fmt::format("snapshot result of node {}", i)));
    parsed[i] = std::move(*one);
    std::string().swap(result.body);
    last_reader[i].reset();
    return ok();
  };
  ASTACUS_TRY(run_on_nodes(context, name(), "snapshot", bodies, convert, readers));
  context.snapshot_results.clear();
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!parsed[i]) return errorf(ErrorCode::kInternal, "node {} finished its snapshot without a result", i);
    context.snapshot_results.push_back(std::move(*parsed[i]));
  }
  return ok();
}

Status ListHexdigestsStep::run(OpContext& context) {
  context.stored_hexdigests = ASTACUS_TRY(context.hexdigest_listing.valid() ? context.hexdigest_listing.get()
                                                                            : list_hexdigest_set(*context.store));
  return ok();
}

Status UploadBlocksStep::run(OpContext& context) {
  auto plan = build_node_index_datas(context.snapshot_results, context.stored_hexdigests);
  std::vector<std::vector<manifest::SnapshotHash>> hashes(context.cluster->size());
  for (auto& assignment : plan) {
    if (assignment.node_index < hashes.size()) hashes[assignment.node_index] = std::move(assignment.hashes);
  }
  std::vector<bool> uploading(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) uploading[i] = !hashes[i].empty();
  // Each node's body (~100 bytes per blob) is written just before it is sent.
  NodeBodies body_of = [&](size_t i) -> std::optional<std::string> {
    if (hashes[i].empty()) return std::nullopt;
    std::string body = upload_body(hashes[i], context.store->name());
    std::vector<manifest::SnapshotHash>().swap(hashes[i]);
    return body;
  };
  auto results = ASTACUS_TRY(run_on_nodes(context, name(), "upload", body_of));
  context.upload_results.clear();
  for (size_t i = 0; i < results.size(); ++i) {
    if (!uploading[i]) continue;
    auto parsed = manifest::parse_snapshot_upload_result(results[i].summary);
    if (!parsed) return make_error(parsed.error().with_context(fmt::format("upload result of node {}", i)));
    context.upload_results.push_back(std::move(*parsed));
  }
  return ok();
}

namespace {

/// Above this many blobs that were not in storage's listing, one more listing is cheaper than
/// asking for each.
constexpr size_t kMaxSingleBlobChecks = 1000;

/// A referenced blob the listing at the start of the backup did not show: the node whose hash
/// list names it first, and its digest there.
struct UnknownBlob {
  size_t node;
  const manifest::Hexdigest* hexdigest;
};

/// Each blob that no listing at the start showed, once, in order of appearance (node, then its
/// list). A sorted vector: a hash set of every blob a full backup uploads cost ~70 bytes each.
std::vector<UnknownBlob> unknown_blobs(const OpContext& context) {
  size_t total = 0;
  for (const auto& result : context.snapshot_results) total += result.hashes ? result.hashes->size() : 0;
  std::vector<UnknownBlob> unknown;
  unknown.reserve(total);  // the pages an unchanged backup leaves unused are never touched
  for (size_t i = 0; i < context.snapshot_results.size(); ++i) {
    if (!context.snapshot_results[i].hashes) continue;
    for (const auto& h : *context.snapshot_results[i].hashes) {
      if (!context.stored_hexdigests.count(h.hexdigest)) unknown.push_back({i, &h.hexdigest});
    }
  }
  auto by_digest = [](const UnknownBlob& a, const UnknownBlob& b) { return *a.hexdigest < *b.hexdigest; };
  std::stable_sort(unknown.begin(), unknown.end(), by_digest);  // stable: the first appearance leads
  unknown.erase(std::unique(unknown.begin(), unknown.end(),
                            [](const UnknownBlob& a, const UnknownBlob& b) { return *a.hexdigest == *b.hexdigest; }),
                unknown.end());
  return unknown;
}

/// The referenced blobs that storage does not hold (node index and hexdigest of each), in order
/// of appearance. Blobs seen in the listing at the start of this backup are still there (the
/// cluster lock keeps cleanups out); the others were uploaded by this backup and are checked
/// now: one by one when few, else by one more listing, matched against them as it streams.
Result<std::vector<std::pair<size_t, std::string>>> missing_blobs(OpContext& context) {
  std::vector<UnknownBlob> unknown = unknown_blobs(context);  // sorted by digest
  std::vector<bool> present(unknown.size());
  if (unknown.size() <= kMaxSingleBlobChecks) {
    for (size_t i = 0; i < unknown.size(); ++i) {
      present[i] = ASTACUS_TRY(context.store->blob_exists(unknown[i].hexdigest->str()));
    }
  } else {
    ASTACUS_CHECK(context.store->list_hexdigests_each([&](std::string_view name) {
      manifest::Hexdigest listed(name);
      auto it = std::lower_bound(unknown.begin(), unknown.end(), listed,
                                 [](const UnknownBlob& u, const manifest::Hexdigest& h) { return *u.hexdigest < h; });
      if (it != unknown.end() && *it->hexdigest == listed) present[static_cast<size_t>(it - unknown.begin())] = true;
    }));
  }
  std::vector<UnknownBlob> absent;
  for (size_t i = 0; i < unknown.size(); ++i) {
    if (!present[i]) absent.push_back(unknown[i]);
  }
  // Back to the order of appearance: by node, then by place in that node's list.
  std::sort(absent.begin(), absent.end(), [](const UnknownBlob& a, const UnknownBlob& b) {
    return a.node != b.node ? a.node < b.node : std::less<const manifest::Hexdigest*>()(a.hexdigest, b.hexdigest);
  });
  std::vector<std::pair<size_t, std::string>> missing;
  for (const auto& blob : absent) missing.emplace_back(blob.node, blob.hexdigest->str());
  return missing;
}

/// Counts the kept lists by their recorded sizes instead of writing them out.
class MeasuredLists final : public manifest::FileListTexts {
 public:
  MeasuredLists(const NodeFileLists& lists, uint64_t& bytes) : lists_(lists), bytes_(bytes) {}
  bool has(size_t index) const override { return lists_.has(index); }
  Status write(size_t index, const manifest::TextSink&) const override {
    bytes_ += lists_.text_size(index);
    return ok();
  }

 private:
  const NodeFileLists& lists_;
  uint64_t& bytes_;
};

/// Writes `backup` under a new backup name, in pieces: holding the text whole cost ~200 bytes
/// per file at the coordinator. Its size (which the compressor records, as for any object) is
/// measured first without the file lists, whose sizes are known.
Status upload_manifest(OpContext& context, const manifest::BackupManifest& backup) {
  const manifest::FileListTexts* lists = &context.snapshot_file_lists;
  uint64_t size = 0;
  MeasuredLists measured(context.snapshot_file_lists, size);
  ASTACUS_CHECK(manifest::write_manifest(
      backup,
      [&](std::string_view piece) {
        size += piece.size();
        return ok();
      },
      1 << 20, &measured));
  auto existing = ASTACUS_TRY(context.store->list_jsons());
  std::string name = manifest::unique_backup_name(context.attempt_start, existing);
  if (ASTACUS_TRY(context.store->json_exists(name))) {
    return errorf(ErrorCode::kConflict, "manifest {} already exists; refusing to overwrite it", name);
  }
  ASTACUS_TRY(context.store->upload_json_from(name, size, [&](codec::ByteSink& out) {
    return manifest::write_manifest(
        backup, [&](std::string_view piece) { return out.write(piece); }, 1 << 20, lists);
  }));
  context.written_backup_name = name;
  return ok();
}

}  // namespace

Status UploadManifestStep::run(OpContext& context) {
  // The manifest is the commit point: check that every blob it references is stored.
  auto missing = missing_blobs(context);
  context.store->drop_pack_catalog();  // blob_exists() may have loaded it; this op is done with it
  if (!missing) return make_error(missing.error());
  if (!missing->empty()) {
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("blob {} of node {} is missing from storage '{}' ({} missing in "
                                  "all); not writing a manifest that references it",
                                  (*missing)[0].second, (*missing)[0].first, context.store->name(),
                                  missing->size()),
                      /*retryable=*/true);
  }
  manifest::BackupManifest backup;
  backup.start = context.attempt_start;
  backup.end = now_utc();
  backup.attempt = context.attempt;
  backup.upload_results = context.upload_results;
  backup.plugin = context.config->plugin;
  backup.plugin_data = context.plugin_data;
  // Lent to the manifest for printing (no copy of every file entry), then given back.
  backup.snapshot_results = std::move(context.snapshot_results);
  Status written = upload_manifest(context, backup);
  context.snapshot_results = std::move(backup.snapshot_results);
  ASTACUS_CHECK(written);
  spdlog::info("backup {} written to storage '{}'", context.written_backup_name, context.store->name());
  return ok();
}

Status BackupNameStep::run(OpContext& context) {
  if (!context.restore.name.empty()) {
    context.backup_name = manifest::with_backup_prefix(context.restore.name);
    return ok();
  }
  // Newest backup- manifest only (Python took the greatest JSON name of any kind).
  auto names = ASTACUS_TRY(context.store->list_jsons());
  std::string newest;
  for (const auto& n : names) {
    if (manifest::is_backup_name(n) && n > newest) newest = n;
  }
  if (newest.empty()) {
    return errorf(ErrorCode::kNotFound, "storage '{}' has no backups to restore", context.store->name());
  }
  context.backup_name = newest;
  return ok();
}

Status BackupManifestStep::run(OpContext& context) {
  manifest::TextFeed feed = [&](const auto& sink) -> Status {
    return context.store->download_json_each(context.backup_name, sink).map_error([&](Error e) {
      return e.with_context(
          fmt::format("cannot read backup {} from storage '{}'", context.backup_name, context.store->name()));
    });
  };
  // Checked whole before any node is asked to write, but without the file lists: each node
  // reads its own from storage. Streamed: one node's part of the text is held at a time.
  context.manifest = ASTACUS_TRY(manifest::read_manifest_outline(feed, context.backup_name));
  context.manifest->filename = context.backup_name;
  return ok();
}

Status MapNodesStep::run(OpContext& context) {
  std::vector<ClusterNode> nodes;
  for (const auto& n : context.config->nodes) nodes.push_back({n.url, n.az});
  context.node_to_backup_index = ASTACUS_TRY(get_node_to_backup_index(
      context.restore.partial_restore_nodes, context.manifest->snapshot_results, nodes));
  return ok();
}

Status RestoreStep::run(OpContext& context) {
  const auto& results = context.manifest->snapshot_results;
  if (results.empty()) {
    return errorf(ErrorCode::kInvalidArgument, "backup {} has no node snapshots", context.backup_name);
  }
  bool partial = !context.restore.partial_restore_nodes.empty();
  std::vector<std::optional<nlohmann::json>> downloads(context.cluster->size());
  std::vector<std::optional<nlohmann::json>> clears(context.cluster->size());
  auto globs_of = [&](size_t j) {
    return results[j].state ? results[j].state->root_globs : std::vector<std::string>{};
  };
  for (size_t i = 0; i < context.node_to_backup_index.size(); ++i) {
    if (auto j = context.node_to_backup_index[i]) {
      downloads[i] = nlohmann::json{{"storage", context.store->name()},
                                    {"backup_name", context.backup_name},
                                    {"snapshot_index", *j},
                                    {"root_globs", globs_of(*j)}};
    } else if (!partial) {
      clears[i] = nlohmann::json{{"root_globs", globs_of(0)}};
    }
  }
  ASTACUS_TRY(run_on_nodes(context, name(), "download", downloads));
  if (std::any_of(clears.begin(), clears.end(), [](const auto& b) { return b.has_value(); })) {
    ASTACUS_TRY(run_on_nodes(context, "ClearStep", "clear", clears));
  }
  return ok();
}

}  // namespace astacus::coordinator

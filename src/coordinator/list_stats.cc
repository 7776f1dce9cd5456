#include "coordinator/list_stats.h"

#include <algorithm>
#include <unordered_map>

namespace astacus::coordinator {

void DeduplicatedFileStats::add(size_t result_index, const manifest::SnapshotFile& file) {
  if (result_ != result_index) {
    end_result();
    result_ = result_index;
  }
  uint32_t index = index_.add(file.hexdigest);
  if (index == seen_.size()) {
    seen_.push_back(Seen{0, file.file_size});
    result_counts_.push_back(0);
  }
  if (result_counts_[index]++ == 0) counted_.push_back(index);
}

void DeduplicatedFileStats::end_result() {
  for (uint32_t index : counted_) {
    seen_[index].max_count = std::max(seen_[index].max_count, result_counts_[index]);
    result_counts_[index] = 0;
  }
  counted_.clear();
}

ClusterFileStats DeduplicatedFileStats::finish() {
  end_result();
  ClusterFileStats stats;
  for (const auto& s : seen_) {
    stats.files += s.max_count;
    stats.data_size += s.max_count * s.size;
  }
  return stats;
}

ClusterFileStats compute_deduplicated_snapshot_file_stats(const manifest::BackupManifest& manifest) {
  DeduplicatedFileStats stats;
  for (size_t i = 0; i < manifest.snapshot_results.size(); ++i) {
    const auto& state = manifest.snapshot_results[i].state;
    if (!state) continue;
    for (const auto& file : state->files) stats.add(i, file);
  }
  return stats.finish();
}

ListEntry make_list_entry(std::string_view object_name, const manifest::BackupManifest& manifest,
                          std::string_view prefix) {
  return make_list_entry(object_name, manifest, compute_deduplicated_snapshot_file_stats(manifest), prefix);
}

ListEntry make_list_entry(std::string_view object_name, const manifest::BackupManifest& manifest,
                          const ClusterFileStats& stats, std::string_view prefix) {
  ListEntry e;
  e.name = std::string(object_name.starts_with(prefix) ? object_name.substr(prefix.size())
                                                       : object_name);
  e.start = manifest.start;
  e.end = manifest.end;
  e.plugin = manifest.plugin;
  e.attempt = manifest.attempt;
  e.nodes = static_cast<int64_t>(manifest.snapshot_results.size());
  for (const auto& r : manifest.snapshot_results) {
    e.files += r.files;
    e.total_size += r.total_size;
  }
  for (const auto& u : manifest.upload_results) {
    e.upload_size += u.total_size;
    e.upload_stored_size += u.total_stored_size;
  }
  e.cluster_files = stats.files;
  e.cluster_data_size = stats.data_size;
  if (manifest.tiered_storage_results) {
    e.tiered_storage_size = manifest.tiered_storage_results->total_size_bytes;
  }
  return e;
}

nlohmann::ordered_json list_entry_to_json(const ListEntry& e) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["name"] = e.name;
  j["start"] = format_rfc3339(e.start);
  j["end"] = format_rfc3339(e.end);
  j["plugin"] = e.plugin;
  j["attempt"] = e.attempt;
  j["nodes"] = e.nodes;
  j["files"] = e.files;
  j["total_size"] = e.total_size;
  j["upload_size"] = e.upload_size;
  j["upload_stored_size"] = e.upload_stored_size;
  j["cluster_files"] = e.cluster_files;
  j["cluster_data_size"] = e.cluster_data_size;
  j["tiered_storage_size"] =
      e.tiered_storage_size ? nlohmann::ordered_json(*e.tiered_storage_size) : nullptr;
  return j;
}

nlohmann::ordered_json list_response_to_json(const std::vector<StorageListing>& storages) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& storage : storages) {
    nlohmann::ordered_json backups = nlohmann::ordered_json::array();
    for (const auto& entry : storage.backups) backups.push_back(list_entry_to_json(entry));
    nlohmann::ordered_json s = nlohmann::ordered_json::object();
    s["storage_name"] = storage.storage_name;
    s["backups"] = std::move(backups);
    list.push_back(std::move(s));
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["storages"] = std::move(list);
  return out;
}

}  // namespace astacus::coordinator

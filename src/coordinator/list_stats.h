#pragma once
// One backup's entry in the /list answer (spec §2.4, Python coordinator/list.py and
// ipc.ListSingleBackup). Pure functions; the engine lists and downloads manifests and caches.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "manifest/naming.h"
#include "coordinator/hexdigest_index.h"
#include "manifest/types.h"

namespace astacus::coordinator {

struct ListEntry {
  std::string name;  // manifest name without the prefix ("backup-" / "delta-")
  SystemTime start;
  SystemTime end;
  std::string plugin;
  int64_t attempt = 0;
  int64_t nodes = 0;               // number of snapshot results
  int64_t files = 0;               // Σ snapshot_results[].files
  int64_t total_size = 0;          // Σ snapshot_results[].total_size
  int64_t upload_size = 0;         // Σ upload_results[].total_size
  int64_t upload_stored_size = 0;  // Σ upload_results[].total_stored_size
  int64_t cluster_files = 0;
  int64_t cluster_data_size = 0;
  std::optional<int64_t> tiered_storage_size;  // tiered_storage_results.total_size_bytes

  bool operator==(const ListEntry&) const = default;
};

struct ClusterFileStats {
  int64_t files = 0;
  int64_t data_size = 0;
};

/// Python compute_deduplicated_snapshot_file_stats: for every hexdigest the maximum, over
/// nodes, of how many of that node's files carry it; files = Σ maxima, data_size = Σ max × the
/// first file size seen for that hexdigest. Kept quirk: embedded files all carry the empty
/// hexdigest and form ONE group (sized by the first embedded file seen). A null state counts
/// as no files.
ClusterFileStats compute_deduplicated_snapshot_file_stats(const manifest::BackupManifest& manifest);

/// The same, fed one file entry at a time (snapshot result index, entry), results in order and
/// each result's files together, as manifest::parse_manifest_visiting_files hands them on: a
/// reader that needs only these figures keeps no file list.
class DeduplicatedFileStats {
 public:
  void add(size_t result_index, const manifest::SnapshotFile& file);
  /// The figures of everything added.
  ClusterFileStats finish();

 private:
  struct Seen {
    int64_t max_count = 0;  // over results
    int64_t size = 0;       // the first size seen
  };
  void end_result();

  // By the digest's number in one HexdigestIndex (~40 B per distinct digest): hash maps keyed
  // by Hexdigest cost ~200 B per distinct digest of the largest manifest.
  HexdigestIndex index_;
  std::vector<Seen> seen_;                  // by index
  std::vector<int64_t> result_counts_;      // by index, of the current result (0 elsewhere)
  std::vector<uint32_t> counted_;           // indexes counted in the current result
  std::optional<size_t> result_;
};

/// The entry for manifest `object_name` (e.g. "backup-2026-..."); `prefix` is stripped from it.
ListEntry make_list_entry(std::string_view object_name, const manifest::BackupManifest& manifest,
                          std::string_view prefix = manifest::kBackupPrefix);
/// The same with `stats` computed beforehand (the manifest's file lists may be empty).
ListEntry make_list_entry(std::string_view object_name, const manifest::BackupManifest& manifest,
                          const ClusterFileStats& stats, std::string_view prefix = manifest::kBackupPrefix);

/// {"name","start","end","plugin","attempt","nodes","files","total_size","upload_size",
///  "upload_stored_size","cluster_files","cluster_data_size","tiered_storage_size"}
nlohmann::ordered_json list_entry_to_json(const ListEntry& entry);

/// One storage of the answer.
struct StorageListing {
  std::string storage_name;
  std::vector<ListEntry> backups;  // sorted by manifest name
};

/// {"storages":[{"storage_name":..,"backups":[..]}, ...]} (storages in the given order).
nlohmann::ordered_json list_response_to_json(const std::vector<StorageListing>& storages);

}  // namespace astacus::coordinator

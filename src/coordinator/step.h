#pragma once
// Stepped coordinator ops (spec §8.1): an op is an ordered list of steps from the plugin; each
// attempt runs them in order on a fresh OpContext, where earlier steps leave results for
// later ones. A plugin adds its own steps (etcd dumps, schema checks) and keeps its state in
// plugin_data.

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "coordinator/hexdigest_set.h"
#include "base/result.h"
#include "base/time.h"
#include "config/types.h"
#include "coordinator/cluster.h"
#include "coordinator/node_file_lists.h"
#include "coordinator/node_mapping.h"
#include "manifest/types.h"
#include "storage/object_store.h"
#include "storage/traffic.h"

namespace astacus::coordinator {

/// Per restore request (POST /restore body).
struct RestoreRequest {
  std::string storage;  // "" = default storage
  std::string name;     // "" = newest backup
  std::vector<PartialRestoreNode> partial_restore_nodes;
  std::optional<std::string> stop_after_step;
};

/// Everything a step may read or produce during one attempt.
struct OpContext {
  Cluster* cluster = nullptr;
  storage::ObjectStore* store = nullptr;  // the site this op reads/writes
  const config::CoordinatorConfig* config = nullptr;
  int attempt = 1;
  SystemTime attempt_start;
  std::string result_url;  // where nodes PUT sub-results
  SubResultSignal* signal = nullptr;
  std::function<void(const std::string& step, const manifest::Progress&)> report_progress;
  std::function<bool()> cancelled;
  storage::TrafficTally* traffic = nullptr;  // nodes' storage traffic is added here

  // Backup.
  std::vector<manifest::SnapshotResult> snapshot_results;  // state.files kept in the next
  NodeFileLists snapshot_file_lists;                       // each node's, compressed
  // Started while nodes snapshot: listing a big data/ takes as long as an unchanged snapshot.
  // Listing early is as good as listing after: under the cluster lock blobs are only added.
  std::future<Result<HexdigestSet>> hexdigest_listing;
  HexdigestSet stored_hexdigests;
  std::vector<manifest::SnapshotUploadResult> upload_results;
  nlohmann::ordered_json plugin_data = nlohmann::ordered_json::object();
  std::string written_backup_name;

  // Restore.
  RestoreRequest restore;
  std::string backup_name;
  std::optional<manifest::BackupManifest> manifest;
  std::vector<std::optional<size_t>> node_to_backup_index;
};

class Step {
 public:
  virtual ~Step() = default;
  /// The class-like name used by stop_after_step (e.g. "MapNodesStep").
  virtual std::string name() const = 0;
  virtual Status run(OpContext& context) = 0;
};

using Steps = std::vector<std::unique_ptr<Step>>;

}  // namespace astacus::coordinator

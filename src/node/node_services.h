#pragma once
// What node ops share: config, the node lock, the snapshotter (one per process, serialised by
// snapshot_mutex as in spec §6.8) and the storage sites. Thread-safe as documented per member.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "node/eager_blobs.h"
#include "node/node_lock.h"
#include "snapshot/snapshotter.h"
#include "storage/object_store.h"

namespace astacus::node {

class NodeServices {
 public:
  NodeServices(config::NodeConfig config, std::string hostname);

  const config::NodeConfig& config() const { return config_; }
  const std::string& hostname() const { return hostname_; }
  NodeLock& lock() { return lock_; }

  /// Serialises snapshot/upload/download/clear/release.
  std::mutex& snapshot_mutex() { return snapshot_mutex_; }
  /// The snapshotter, opened on first use. REQUIRES: snapshot_mutex() held.
  Result<snapshot::Snapshotter*> snapshotter();
  /// The blobs the last snapshot stored while reading, until the upload after it.
  /// REQUIRES: snapshot_mutex() held.
  StoredBySnapshot& stored_by_snapshot() { return stored_by_snapshot_; }

  /// Storage site `name` from node.object_storage (NotFound naming the site if unknown).
  Result<std::shared_ptr<storage::ObjectStore>> store(const std::string& name);

 private:
  const config::NodeConfig config_;
  const std::string hostname_;
  NodeLock lock_;
  std::mutex snapshot_mutex_;
  std::unique_ptr<snapshot::Snapshotter> snapshotter_;
  StoredBySnapshot stored_by_snapshot_;
  std::mutex stores_mutex_;
  std::map<std::string, std::shared_ptr<storage::ObjectStore>> stores_;
};

}  // namespace astacus::node

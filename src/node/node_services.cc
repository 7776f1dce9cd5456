#include "node/node_services.h"

#include <filesystem>

#include "base/files.h"

namespace astacus::node {

NodeServices::NodeServices(config::NodeConfig config, std::string hostname)
    : config_(std::move(config)), hostname_(std::move(hostname)) {}

Result<snapshot::Snapshotter*> NodeServices::snapshotter() {
  if (!snapshotter_) {
    std::filesystem::path db_dir = config_.db_path;
    ASTACUS_CHECK(ensure_directory(db_dir));
    std::string link = config_.root_link.value_or(config_.root + "/.astacus");
    snapshotter_ = ASTACUS_TRY(snapshot::Snapshotter::open(
        config_.root, link, db_dir / "node_snapshotter.db", config_.parallel.hashes));
  }
  return snapshotter_.get();
}

Result<std::shared_ptr<storage::ObjectStore>> NodeServices::store(const std::string& name) {
  std::lock_guard lock(stores_mutex_);
  auto it = stores_.find(name);
  if (it != stores_.end()) return it->second;
  if (!config_.object_storage) {
    return make_error(ErrorCode::kInvalidArgument, "node has no object_storage configured");
  }
  std::shared_ptr<storage::ObjectStore> store =
      ASTACUS_TRY(storage::ObjectStore::open(*config_.object_storage, name));
  stores_[name] = store;
  return store;
}

}  // namespace astacus::node

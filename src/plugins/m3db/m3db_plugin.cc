#include "plugins/m3db/m3db_plugin.h"

#include "coordinator/steps.h"
#include "plugins/m3db/steps.h"

namespace astacus::plugins {

namespace {

using coordinator::Steps;
using namespace m3db;

/// M3DB's files: data/<namespace>/<shard>/fileset-*.db and commitlogs/commitlog-*.db.
std::vector<snapshot::SnapshotGroup> snapshot_groups() {
  snapshot::SnapshotGroup group;
  group.root_glob = "**/*.db";
  return {group};
}

class M3dbPlugin : public coordinator::Plugin {
 public:
  Status validate(const nlohmann::json& plugin_config) const override {
    ASTACUS_TRY(parse_m3db_config(plugin_config));
    return ok();
  }

  Result<Steps> backup_steps(const nlohmann::json& plugin_config) const override {
    auto config = ASTACUS_TRY(parse_m3db_config(plugin_config));
    etcd::Client client(config.etcd_url);
    auto prefixes = etcd_prefixes(config.environment);
    Steps steps;
    steps.push_back(std::make_unique<InitStep>(config));
    steps.push_back(std::make_unique<RetrieveEtcdStep>(client, prefixes));
    steps.push_back(std::make_unique<coordinator::SnapshotStep>(snapshot_groups()));
    steps.push_back(std::make_unique<coordinator::ListHexdigestsStep>());
    steps.push_back(std::make_unique<coordinator::UploadBlocksStep>());
    steps.push_back(std::make_unique<RetrieveEtcdAgainStep>(client, prefixes));
    // The manifest is written only after etcd was read again and found unchanged.
    steps.push_back(std::make_unique<CreateM3ManifestStep>(config.placement_nodes));
    steps.push_back(std::make_unique<coordinator::UploadManifestStep>());
    return steps;
  }

  Result<Steps> restore_steps(const nlohmann::json& plugin_config,
                              const coordinator::RestoreRequest& /*request*/) const override {
    auto config = ASTACUS_TRY(parse_m3db_config(plugin_config));
    etcd::Client client(config.etcd_url);
    Steps steps;
    steps.push_back(std::make_unique<InitStep>(config));
    steps.push_back(std::make_unique<coordinator::BackupNameStep>());
    steps.push_back(std::make_unique<coordinator::BackupManifestStep>());
    steps.push_back(std::make_unique<coordinator::MapNodesStep>());
    steps.push_back(std::make_unique<RewriteEtcdStep>(config));
    steps.push_back(std::make_unique<RestoreEtcdStep>(client));
    steps.push_back(std::make_unique<coordinator::RestoreStep>());
    return steps;
  }
};

}  // namespace

void register_m3db_plugin(coordinator::PluginRegistry& registry) {
  registry.add("m3db", [] { return std::make_unique<M3dbPlugin>(); });
}

}  // namespace astacus::plugins

#include "plugins/files/files_plugin.h"

#include "coordinator/steps.h"

namespace astacus::plugins {

namespace {

using coordinator::Steps;

Result<std::vector<std::string>> root_globs(const nlohmann::json& plugin_config) {
  constexpr const char* kKey = "coordinator.plugin_config.root_globs";
  if (!plugin_config.is_object()) {
    return errorf(ErrorCode::kInvalidArgument, "coordinator.plugin_config: expected an object");
  }
  for (const auto& [key, value] : plugin_config.items()) {
    if (key != "root_globs") {
      return errorf(ErrorCode::kInvalidArgument, "coordinator.plugin_config.{}: unknown key", key);
    }
  }
  auto it = plugin_config.find("root_globs");
  if (it == plugin_config.end()) return errorf(ErrorCode::kInvalidArgument, "{}: required key missing", kKey);
  if (!it->is_array()) return errorf(ErrorCode::kInvalidArgument, "{}: expected a list of globs", kKey);
  std::vector<std::string> globs;
  for (const auto& g : *it) {
    if (!g.is_string()) return errorf(ErrorCode::kInvalidArgument, "{}: expected strings", kKey);
    globs.push_back(g.get<std::string>());
  }
  return globs;
}

class FilesPlugin : public coordinator::Plugin {
 public:
  Status validate(const nlohmann::json& plugin_config) const override {
    ASTACUS_TRY(root_globs(plugin_config));
    return ok();
  }

  Result<Steps> backup_steps(const nlohmann::json& plugin_config) const override {
    std::vector<snapshot::SnapshotGroup> groups;
    for (auto& glob : ASTACUS_TRY(root_globs(plugin_config))) {
      snapshot::SnapshotGroup group;
      group.root_glob = std::move(glob);
      groups.push_back(std::move(group));
    }
    Steps steps;
    steps.push_back(std::make_unique<coordinator::SnapshotStep>(std::move(groups)));
    steps.push_back(std::make_unique<coordinator::ListHexdigestsStep>());
    steps.push_back(std::make_unique<coordinator::UploadBlocksStep>());
    steps.push_back(std::make_unique<coordinator::UploadManifestStep>());
    return steps;
  }

  Result<Steps> restore_steps(const nlohmann::json& plugin_config,
                              const coordinator::RestoreRequest& /*request*/) const override {
    ASTACUS_TRY(root_globs(plugin_config));
    Steps steps;
    steps.push_back(std::make_unique<coordinator::BackupNameStep>());
    steps.push_back(std::make_unique<coordinator::BackupManifestStep>());
    steps.push_back(std::make_unique<coordinator::MapNodesStep>());
    steps.push_back(std::make_unique<coordinator::RestoreStep>());
    return steps;
  }
};

}  // namespace

void register_files_plugin(coordinator::PluginRegistry& registry) {
  registry.add("files", [] { return std::make_unique<FilesPlugin>(); });
}

}  // namespace astacus::plugins

#pragma once
// The plugin interface owned by the coordinator (spec §10). A plugin turns its
// `plugin_config` into the step lists of each op. Concrete plugins live in src/plugins/ and
// register by name through explicit functions; the coordinator never includes one.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "coordinator/step.h"

namespace astacus::coordinator {

class Plugin {
 public:
  virtual ~Plugin() = default;
  /// Validates plugin_config; errors name the key (`coordinator.plugin_config.root_globs`).
  virtual Status validate(const nlohmann::json& plugin_config) const = 0;
  virtual Result<Steps> backup_steps(const nlohmann::json& plugin_config) const = 0;
  virtual Result<Steps> restore_steps(const nlohmann::json& plugin_config,
                                      const RestoreRequest& request) const = 0;
  virtual bool supports_delta() const { return false; }
};

class PluginRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Plugin>()>;
  /// Aborts on a duplicate name: a wiring bug, caught at startup.
  void add(const std::string& name, Factory factory);
  /// NotFound naming the plugin and the known ones.
  Result<std::unique_ptr<Plugin>> create(const std::string& name) const;

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace astacus::coordinator

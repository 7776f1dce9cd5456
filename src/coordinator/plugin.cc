#include "coordinator/plugin.h"

#include <cstdlib>
#include <spdlog/spdlog.h>

namespace astacus::coordinator {

void PluginRegistry::add(const std::string& name, Factory factory) {
  if (!factories_.emplace(name, std::move(factory)).second) {
    spdlog::critical("plugin '{}' registered twice", name);
    std::abort();
  }
}

Result<std::unique_ptr<Plugin>> PluginRegistry::create(const std::string& name) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
    return errorf(ErrorCode::kNotFound, "coordinator.plugin: plugin '{}' is not available (have: {})",
                  name, known);
  }
  return it->second();
}

}  // namespace astacus::coordinator

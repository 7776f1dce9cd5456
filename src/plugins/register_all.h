#pragma once
// The one list of built-in plugins. Each plugin folder exports register_<name>_plugin().

#include "coordinator/plugin.h"

namespace astacus::plugins {

void register_all(coordinator::PluginRegistry& registry);

}  // namespace astacus::plugins

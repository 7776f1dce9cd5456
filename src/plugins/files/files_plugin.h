#pragma once
// plugin: files (spec §10.1) — back up and restore the files under node.root that match
// plugin_config.root_globs.

#include "coordinator/plugin.h"

namespace astacus::plugins {

void register_files_plugin(coordinator::PluginRegistry& registry);

}  // namespace astacus::plugins

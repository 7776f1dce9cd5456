#pragma once
// plugin: m3db (spec §10.2) — back up and restore M3DB nodes: their `**/*.db` files (filesets
// and commit logs) through the generic steps, and M3's etcd state (namespaces and placement)
// through the steps in steps.h; on restore the placement is rewritten for the target nodes.
// plugin_config: see config.h.

#include "coordinator/plugin.h"

namespace astacus::plugins {

void register_m3db_plugin(coordinator::PluginRegistry& registry);

}  // namespace astacus::plugins

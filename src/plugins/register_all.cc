#include "plugins/register_all.h"

#include "plugins/files/files_plugin.h"
#include "plugins/m3db/m3db_plugin.h"

namespace astacus::plugins {

void register_all(coordinator::PluginRegistry& registry) {
  register_files_plugin(registry);
  register_m3db_plugin(registry);
}

}  // namespace astacus::plugins

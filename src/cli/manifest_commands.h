#pragma once
// `astacus manifest -c CONFIG [-s STORAGE] list|describe|dump|download-files ...` (spec §1.4):
// offline tools that read a storage site directly, without servers. Unlike Python's, they read
// YAML or JSON configs and exit 0 on success.

#include <string>
#include <vector>

#include "cli/console.h"

namespace astacus::cli {

/// `args` are the words after `manifest`. Returns the exit code.
int run_manifest(const std::vector<std::string>& args, Console& console);

}  // namespace astacus::cli

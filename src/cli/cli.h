#pragma once
// The `astacus` command line: parses arguments (args.h) and runs one command.
// Commands: server -c PATH, backup, restore, list, cleanup, delete, delta backup, delta list,
// reload, check-reload, copy, manifest list|describe|dump|download-files (manifest_commands.h).
// Exit codes: 0 success, 1 failure (or no command), 2 usage error.

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/context.h"

namespace astacus::cli {

/// Runs the server with a config file; provided by the app layer. Returns the exit code.
using ServerMain = std::function<int(const std::string& config_path)>;

/// The real entry point: stdout/stderr, TTY detection on stderr, the system clock.
int run_cli(int argc, char** argv, const ServerMain& server_main);

/// Where run_cli writes and how it waits; tests pass string streams and a fake clock.
struct CliEnv {
  std::ostream* out;
  std::ostream* err;
  bool err_is_tty = false;
  Clock clock = system_clock();
};

/// `args` includes the program name.
int run_cli(const std::vector<std::string>& args, const ServerMain& server_main, const CliEnv& env);

}  // namespace astacus::cli

#pragma once
// Command-line parsing (CLI11): `astacus [-u URL] [-w SECONDS] COMMAND [OPTIONS]`.
// Global options go before the command, as with Python's argparse.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/op_commands.h"

namespace astacus::cli {

enum class Command {
  kServer,
  kBackup,
  kRestore,
  kList,
  kCleanup,
  kDelete,
  kDeltaBackup,
  kDeltaList,
  kReload,
  kCheckReload,
  kManifest,
  kCopy,
};

struct Invocation {
  Command command = Command::kBackup;
  std::string url;                  // -u/--url, default kDefaultUrl
  std::optional<int> wait_seconds;  // -w/--wait-completion
  std::string config_path;          // server -c
  RestoreArgs restore;
  CleanupArgs cleanup;
  std::vector<std::string> delete_names;  // delete --backups, as typed
  std::optional<std::string> storage;     // list / delta list --storage
  bool json = false;                      // list / delta list --json
  bool status_only = false;               // check-reload --status
  std::vector<std::string> manifest_args; // words after `manifest`
  CopyArgs copy;                          // copy --from --to [--backup ...]
};

/// Either an invocation to run, or the exit code of a parse that already answered:
/// --help -> help on `out`, 0; no command -> help on `err`, 1; usage error -> message on `err`, 2.
struct ParseOutcome {
  std::optional<Invocation> invocation;
  int exit_code = 0;
};

/// `args` includes the program name (argv[0]).
ParseOutcome parse_args(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace astacus::cli

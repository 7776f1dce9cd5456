#include "cli/cli.h"

#include <unistd.h>

#include <iostream>

#include "cli/args.h"
#include "cli/list_command.h"
#include "cli/manifest_commands.h"
#include "cli/op_commands.h"
#include "cli/reload_commands.h"

namespace astacus::cli {
namespace {

int dispatch(const Invocation& inv, const ServerMain& server_main, Context& ctx) {
  switch (inv.command) {
    case Command::kServer:
      if (!server_main) {
        ctx.console->print_error("astacus server: not available in this build");
        return 1;
      }
      return server_main(inv.config_path);
    case Command::kBackup:
      return run_op(ctx, backup_request());
    case Command::kRestore:
      return run_op(ctx, restore_request(inv.restore));
    case Command::kCleanup:
      return run_op(ctx, cleanup_request(inv.cleanup));
    case Command::kDelete:
      return run_op(ctx, delete_request(inv.delete_names));
    case Command::kDeltaBackup:
      return run_op(ctx, delta_backup_request());
    case Command::kList:
      return run_list(ctx, "list", inv.storage, inv.json);
    case Command::kDeltaList:
      return run_list(ctx, "delta/list", inv.storage, inv.json);
    case Command::kReload:
      return run_reload(ctx);
    case Command::kCheckReload:
      return run_check_reload(ctx, inv.status_only);
    case Command::kCopy:
      return run_op(ctx, copy_request(inv.copy));
    case Command::kManifest:
      return run_manifest(inv.manifest_args, *ctx.console);
  }
  return 1;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, const ServerMain& server_main, const CliEnv& env) {
  auto parsed = parse_args(args, *env.out, *env.err);
  if (!parsed.invocation) return parsed.exit_code;
  Console console(*env.out, *env.err, env.err_is_tty);
  Context ctx;
  ctx.url = parsed.invocation->url;
  ctx.wait_seconds = parsed.invocation->wait_seconds;
  ctx.console = &console;
  ctx.clock = env.clock;
  return dispatch(*parsed.invocation, server_main, ctx);
}

int run_cli(int argc, char** argv, const ServerMain& server_main) {
  std::vector<std::string> args(argv, argv + argc);
  CliEnv env{&std::cout, &std::cerr, isatty(STDERR_FILENO) == 1, system_clock()};
  return run_cli(args, server_main, env);
}

}  // namespace astacus::cli

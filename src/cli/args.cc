#include "cli/args.h"

#include <CLI/CLI.hpp>

namespace astacus::cli {
namespace {

constexpr char kWaitHelp[] =
    "Wait at most this long the requested (client) operation to complete (unit:seconds)";

// Binds an optional value: CLI11 fills `tmp`, `finish` copies it when the option was given.
template <typename T>
struct OptionalBinding {
  T tmp{};
  CLI::Option* option = nullptr;
  void finish(std::optional<T>& target) const {
    if (option->count()) target = tmp;
  }
};

template <typename T>
void add_optional(CLI::App* app, const std::string& name, OptionalBinding<T>& binding,
                  const std::string& help) {
  binding.option = app->add_option(name, binding.tmp, help);
}

struct Bindings {
  OptionalBinding<int> wait;
  OptionalBinding<std::string> restore_storage, restore_backup, restore_step;
  OptionalBinding<int> minimum, maximum, keep_days;
  OptionalBinding<std::string> list_storage, delta_list_storage, cleanup_storage;
};

}  // namespace

ParseOutcome parse_args(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Invocation inv;
  inv.url = kDefaultUrl;
  Bindings b;
  CLI::App app{"Astacus - cluster backup tool", "astacus"};
  app.set_help_flag("-h,--help", "Show this help message and exit");
  app.require_subcommand(0, 1);
  app.add_option("-u,--url", inv.url, "Astacus REST endpoint URL")->capture_default_str();
  add_optional(&app, "-w,--wait-completion", b.wait, kWaitHelp);

  auto* server = app.add_subcommand("server", "Run REST server");
  server->add_option("-c,--config", inv.config_path, "Configuration file")->required();
  auto* reload = app.add_subcommand("reload", "Reload astacus configuration");
  auto* check_reload =
      app.add_subcommand("check-reload", "Check if the astacus configuration needs to be reloaded from disk");
  check_reload->add_flag("--status", inv.status_only,
                         "Print nothing; exit 1 when a reload is needed, else 0");
  auto* backup = app.add_subcommand("backup", "Request backup");
  auto* restore = app.add_subcommand("restore", "Request backup restoration");
  add_optional(restore, "--storage", b.restore_storage, "Storage to use (default: configured)");
  add_optional(restore, "--backup", b.restore_backup, "Name of backup to restore (default: most recent)");
  add_optional(restore, "--stop-after-step", b.restore_step, "Stop the restore after this step");
  auto* list = app.add_subcommand("list", "List backups");
  add_optional(list, "--storage", b.list_storage, "Particular storage to list (default: all)");
  list->add_flag("--json", inv.json, "Print the raw JSON answer");
  auto* cleanup = app.add_subcommand("cleanup", "Delete backups that should no longer be kept");
  add_optional(cleanup, "--storage", b.cleanup_storage, "Storage to clean (default: configured)");
  add_optional(cleanup, "--minimum-backups", b.minimum, "Minimum number of backups to be kept");
  add_optional(cleanup, "--maximum-backups", b.maximum, "Maximum number of backups to be kept");
  add_optional(cleanup, "--keep-days", b.keep_days,
               "Number of days to keep backups (does not override minimum/maximum-backups)");
  auto* del = app.add_subcommand("delete", "Delete specific old existing backup(s)");
  del->add_option("--backups", inv.delete_names, "Backup names to be deleted (backup- prefix optional)")
      ->required();
  auto* delta = app.add_subcommand("delta", "Delta backup commands");
  delta->require_subcommand(1);
  auto* delta_backup = delta->add_subcommand("backup", "Request delta backup");
  auto* delta_list = delta->add_subcommand("list", "List delta backups");
  add_optional(delta_list, "--storage", b.delta_list_storage, "Particular storage to list (default: all)");
  delta_list->add_flag("--json", inv.json, "Print the raw JSON answer");
  auto* copy = app.add_subcommand("copy", "Copy backups to another storage site (migration)");
  copy->add_option("--from", inv.copy.from, "Storage to copy from")->required();
  copy->add_option("--to", inv.copy.to, "Storage to copy to")->required();
  copy->add_option("--backup", inv.copy.backups, "Backups to copy (default: all; backup- optional)");
  auto* manifest = app.add_subcommand("manifest", "Examine Astacus backup manifests");
  manifest->prefix_command();

  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    return {std::nullopt, app.exit(e, out, err)};
  } catch (const CLI::CallForAllHelp& e) {
    return {std::nullopt, app.exit(e, out, err)};
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return {std::nullopt, 2};
  }

  const std::pair<CLI::App*, Command> commands[] = {
      {server, Command::kServer},         {reload, Command::kReload},
      {check_reload, Command::kCheckReload}, {backup, Command::kBackup},
      {restore, Command::kRestore},       {list, Command::kList},
      {cleanup, Command::kCleanup},       {del, Command::kDelete},
      {delta_backup, Command::kDeltaBackup}, {delta_list, Command::kDeltaList},
      {manifest, Command::kManifest},     {copy, Command::kCopy},
  };
  bool found = false;
  for (const auto& [sub, command] : commands) {
    if (sub->parsed()) {
      inv.command = command;
      found = true;
    }
  }
  if (manifest->parsed()) inv.manifest_args = manifest->remaining();
  if (!found) {
    err << app.help();
    return {std::nullopt, 1};
  }
  b.wait.finish(inv.wait_seconds);
  b.restore_storage.finish(inv.restore.storage);
  b.restore_backup.finish(inv.restore.backup);
  b.restore_step.finish(inv.restore.stop_after_step);
  b.cleanup_storage.finish(inv.cleanup.storage);
  b.minimum.finish(inv.cleanup.minimum_backups);
  b.maximum.finish(inv.cleanup.maximum_backups);
  b.keep_days.finish(inv.cleanup.keep_days);
  b.list_storage.finish(inv.storage);
  b.delta_list_storage.finish(inv.storage);
  return {std::move(inv), 0};
}

}  // namespace astacus::cli

#include "cli/op_commands.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/format.h"
#include "cli/request.h"
#include "cli/wait.h"

namespace astacus::cli {

using OrderedJson = nlohmann::ordered_json;

OpRequest backup_request() { return {"backup", "backup", std::nullopt}; }

OpRequest delta_backup_request() { return {"delta/backup", "delta/backup", std::nullopt}; }

OpRequest restore_request(const RestoreArgs& args) {
  OrderedJson body = OrderedJson::object();
  if (args.storage) body["storage"] = *args.storage;
  if (args.backup) body["name"] = *args.backup;
  if (args.stop_after_step) body["stop_after_step"] = *args.stop_after_step;
  return {"restore", "restore", body.dump()};
}

OpRequest cleanup_request(const CleanupArgs& args) {
  OrderedJson retention = OrderedJson::object();
  if (args.minimum_backups) retention["minimum_backups"] = *args.minimum_backups;
  if (args.maximum_backups) retention["maximum_backups"] = *args.maximum_backups;
  if (args.keep_days) retention["keep_days"] = *args.keep_days;
  OrderedJson body = OrderedJson::object();
  if (args.storage) body["storage"] = *args.storage;
  if (!retention.empty()) body["retention"] = retention;
  return {"cleanup", "cleanup", body.dump()};
}

std::string with_backup_prefix(const std::string& name) {
  return name.starts_with("backup-") ? name : "backup-" + name;
}

OpRequest delete_request(const std::vector<std::string>& names) {
  OrderedJson list = OrderedJson::array();
  for (const auto& name : names) list.push_back(with_backup_prefix(name));
  OrderedJson body = {{"explicit_delete", list}};
  return {"cleanup", "cleanup", body.dump()};
}

OpRequest copy_request(const CopyArgs& args) {
  OrderedJson backups = OrderedJson::array();
  for (const auto& name : args.backups) backups.push_back(with_backup_prefix(name));
  OrderedJson body = {{"from", args.from}, {"to", args.to}, {"backups", backups}};
  return {"copy", "copy", body.dump()};
}

int run_op(Context& ctx, const OpRequest& request) {
  Console& console = *ctx.console;
  console.print(fmt::format("Starting {}..", request.label));
  double start = ctx.clock.now();
  auto took = [&] {
    console.print(fmt::format(".. which took {} seconds", python_float_repr(ctx.clock.now() - start)));
  };
  auto answer = request_json(ctx, "post", ctx.url + "/" + request.path, "client._run_op",
                             {request.body});
  if (!answer) return 1;
  if (!ctx.wait_seconds || *ctx.wait_seconds == 0) {
    took();
    return 0;
  }
  auto status_url = answer->json.is_object() ? answer->json.find("status_url") : answer->json.end();
  if (status_url == answer->json.end() || !status_url->is_string()) {
    console.warning(fmt::format("Unexpected response from {}/{} to client._run_op: no status_url in {}",
                                ctx.url, request.path, answer->body));
    return 1;
  }
  switch (wait_for_op(ctx, status_url->get<std::string>(), request.label, *ctx.wait_seconds)) {
    case WaitOutcome::kDone:
      took();
      return 0;
    case WaitOutcome::kFailed:
      console.print(".. which eventually failed");
      return 1;
    case WaitOutcome::kTimedOut:
      console.print(".. which timed out");
      return 1;
    case WaitOutcome::kError:
      return 1;
  }
  return 1;
}

}  // namespace astacus::cli

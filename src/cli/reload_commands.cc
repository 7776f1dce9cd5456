#include "cli/reload_commands.h"

#include <algorithm>
#include <chrono>

#include "cli/request.h"
#include "cli/wait.h"

namespace astacus::cli {

int run_reload(Context& ctx) {
  double budget = ctx.wait_seconds ? *ctx.wait_seconds : kDefaultReloadBudgetSeconds;
  double start = ctx.clock.now();
  Backoff backoff(ctx, 0.1, budget);
  while (backoff.next()) {
    double remaining = std::max(budget - (ctx.clock.now() - start), 0.1);
    CallOptions options;
    options.timeout = std::chrono::milliseconds(static_cast<int64_t>(remaining * 1000));
    if (request_json(ctx, "post", ctx.url + "/config/reload", "client._reload_config", options)) {
      return 0;
    }
  }
  return 1;
}

int run_check_reload(Context& ctx, bool status_only) {
  auto answer = request_json(ctx, "get", ctx.url + "/config/status", "client._check_reload_config");
  const nlohmann::json* needs = nullptr;
  if (answer && answer->json.is_object()) {
    auto it = answer->json.find("needs_reload");
    if (it != answer->json.end() && it->is_boolean()) needs = &*it;
  }
  if (!needs) {
    ctx.console->print("Failed to get configuration status");
    return 1;
  }
  bool needs_reload = needs->get<bool>();
  if (status_only) return needs_reload ? 1 : 0;
  ctx.console->print(needs_reload ? "Configuration needs to be reloaded"
                                  : "Configuration does not need to be reloaded");
  return 0;
}

}  // namespace astacus::cli

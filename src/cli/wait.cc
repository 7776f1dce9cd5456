#include "cli/wait.h"

#include <cmath>

#include <fmt/format.h>

#include "cli/request.h"

namespace astacus::cli {

Backoff::Backoff(Context& ctx, double initial_seconds, double duration_seconds)
    : ctx_(ctx), initial_(initial_seconds), duration_(duration_seconds) {}

bool Backoff::next() {
  double now = ctx_.clock.now();
  if (attempt_ == 0) {
    start_ = now;
    attempt_ = 1;
    return true;
  }
  double delay = initial_ * std::pow(2.0, attempt_ - 1);
  if (start_ + duration_ - now - delay < 0) return false;
  ctx_.console->info(fmt::format("exponential_backoff waiting {:.2f} seconds (retry {})", delay,
                                 attempt_));
  ctx_.clock.sleep(delay);
  ++attempt_;
  return true;
}

std::string progress_line(const std::string& label, const nlohmann::json& status) {
  auto it = status.find("progress");
  if (it == status.end() || !it->is_object()) return "";
  auto field = [&](const char* name) -> int64_t {
    auto f = it->find(name);
    return f != it->end() && f->is_number() ? f->get<int64_t>() : 0;
  };
  int64_t handled = field("handled");
  int64_t total = field("total");
  int64_t pct = total > 0 ? handled * 100 / total : 0;
  return fmt::format("{}: {}/{} ({}%) failed {}", label, handled, total, pct, field("failed"));
}

namespace {

WaitOutcome poll_loop(Context& ctx, const std::string& status_url, const std::string& label,
                      double budget_seconds) {
  Backoff backoff(ctx, 0.1, budget_seconds);
  while (backoff.next()) {
    auto answer = request_json(ctx, "get", status_url, "client._run_op[2]");
    if (!answer) return WaitOutcome::kError;
    auto state = answer->json.is_object() ? answer->json.find("state") : answer->json.end();
    if (state == answer->json.end() || !state->is_string()) {
      ctx.console->warning(fmt::format("Unexpected response from {} to client._run_op[2]: no state in {}",
                                       status_url, answer->body));
      return WaitOutcome::kError;
    }
    if (*state == "fail") {
      // Our servers say why (Python's did not): show it so the operator need not dig in logs.
      auto error = answer->json.find("error");
      if (error != answer->json.end() && error->is_string()) {
        ctx.console->print_error("error: " + error->get<std::string>());
      }
      return WaitOutcome::kFailed;
    }
    if (*state == "done") return WaitOutcome::kDone;
    auto line = progress_line(label, answer->json);
    if (!line.empty()) ctx.console->show_progress(line);
  }
  return WaitOutcome::kTimedOut;
}

}  // namespace

WaitOutcome wait_for_op(Context& ctx, const std::string& status_url, const std::string& label,
                        double budget_seconds) {
  auto outcome = poll_loop(ctx, status_url, label, budget_seconds);
  ctx.console->clear_progress();
  return outcome;
}

}  // namespace astacus::cli

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cli/cli.h"
#include "cli/wait.h"
#include "test_server.h"

namespace astacus::cli {
namespace {

using testing::FakeClock;
using testing::TestServer;

struct RunResult {
  int code = -1;
  std::string out, err;
};

RunResult run(std::vector<std::string> args, FakeClock& clock, bool tty = false) {
  args.insert(args.begin(), "astacus");
  std::ostringstream out, err;
  CliEnv env{&out, &err, tty, clock.clock()};
  RunResult r;
  r.code = run_cli(args, nullptr, env);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string fixture_text(const std::string& cli_dir, const std::string& file, int port) {
  auto path = std::filesystem::path(ASTACUS_SHARED_DIR) / "compat/python-astacus/files-zstd-3node/cli" /
              cli_dir / file;
  std::ifstream in(path);
  EXPECT_TRUE(in) << "missing fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return replace_all(ss.str(), "${PORT0}", std::to_string(port));
}

// A coordinator double: POST /<op> starts op `op_id`, GET /<op>/<op_id> answers the scripted
// states in order (the last one repeats). Records request bodies.
class FakeCoordinator {
 public:
  FakeCoordinator(const std::string& op, int op_id, std::vector<std::string> states)
      : states_(std::move(states)) {
    std::string status_path = "/" + op + "/" + std::to_string(op_id);
    server_.server().Post("/" + op, [this, status_path](const httplib::Request& req, httplib::Response& res) {
      record(req.body);
      res.set_content(R"({"op_id":1,"status_url":")" + server_.url() + status_path + "\"}",
                      "application/json");
    });
    server_.server().Get(status_path, [this](const httplib::Request&, httplib::Response& res) {
      size_t i = polls_++;
      const auto& state = states_[std::min(i, states_.size() - 1)];
      res.set_content(R"({"state":")" + state +
                          R"(","progress":{"handled":5,"failed":1,"total":10,"final":false}})",
                      "application/json");
    });
  }
  std::string url() const { return server_.url(); }
  int port() const { return server_.port(); }
  size_t polls() const { return polls_; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }

 private:
  void record(const std::string& body) {
    std::lock_guard lock(mutex_);
    bodies_.push_back(body);
  }
  std::vector<std::string> states_;
  std::atomic<size_t> polls_{0};
  std::mutex mutex_;
  std::vector<std::string> bodies_;
  TestServer server_;  // last: stopped first, before the state its handlers use
};

void expect_took(const std::string& out, const std::string& op) {
  EXPECT_TRUE(out.starts_with("Starting " + op + "..\n.. which took ")) << out;
  EXPECT_TRUE(out.ends_with(" seconds\n")) << out;
}

TEST(Backoff, SchedulesDoublingSleepsWithinBudget) {
  FakeClock clock;
  std::ostringstream out, err;
  Console console(out, err, false);
  Context ctx;
  ctx.console = &console;
  ctx.clock = clock.clock();
  Backoff backoff(ctx, 0.1, 2);
  int attempts = 0;
  while (backoff.next()) ++attempts;
  EXPECT_EQ(attempts, 5);  // 0.1 + 0.2 + 0.4 + 0.8 = 1.5 <= 2; the next 1.6 would overrun
  EXPECT_EQ(clock.sleeps, (std::vector<double>{0.1, 0.2, 0.4, 0.8}));
  EXPECT_NE(err.str().find("INFO:astacus.common.utils:exponential_backoff waiting 0.80 seconds (retry 4)\n"),
            std::string::npos);
}

TEST(WaitForOp, DoneAfterTwoRetriesMatchesPythonLog) {
  FakeCoordinator coordinator("backup", 3, {"running", "running", "done"});
  FakeClock clock;
  auto r = run({"-u", coordinator.url(), "-w", "120", "backup"}, clock);
  EXPECT_EQ(r.code, 0);
  expect_took(r.out, "backup");
  EXPECT_EQ(r.err, fixture_text("020-backup-w", "stderr.txt", coordinator.port()));
  EXPECT_EQ(clock.sleeps, (std::vector<double>{0.1, 0.2}));
  EXPECT_EQ(coordinator.polls(), 3u);
  EXPECT_EQ(coordinator.bodies(), std::vector<std::string>{""});
}

TEST(WaitForOp, FailedOpExitsOne) {
  FakeCoordinator coordinator("restore", 8, {"fail"});
  FakeClock clock;
  auto r = run({"-u", coordinator.url(), "-w", "60", "restore", "--backup", "nope"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, fixture_text("032-restore-unknown-backup", "stdout.txt", coordinator.port()));
  EXPECT_EQ(r.err, fixture_text("032-restore-unknown-backup", "stderr.txt", coordinator.port()));
  EXPECT_EQ(coordinator.bodies(), std::vector<std::string>{R"({"name":"nope"})"});
}

TEST(WaitForOp, TimesOutWithoutSleepingPastTheBudget) {
  FakeCoordinator coordinator("backup", 1, {"running"});
  FakeClock clock;
  auto r = run({"-u", coordinator.url(), "-w", "1", "backup"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Starting backup..\n.. which timed out\n");
  EXPECT_EQ(clock.sleeps, (std::vector<double>{0.1, 0.2, 0.4}));
  EXPECT_EQ(coordinator.polls(), 4u);
}

TEST(WaitForOp, ProgressLineOnlyOnTty) {
  FakeCoordinator coordinator("backup", 1, {"running", "done"});
  FakeClock clock;
  auto tty = run({"-u", coordinator.url(), "-w", "10", "backup"}, clock, true);
  EXPECT_EQ(tty.code, 0);
  const std::string line = "backup: 5/10 (50%) failed 1";
  auto pos = tty.err.find(line);
  ASSERT_NE(pos, std::string::npos) << tty.err;
  // Erased (CR, blanks, CR) before the next log line.
  EXPECT_EQ(tty.err.substr(pos + line.size(), line.size() + 2), "\r" + std::string(line.size(), ' ') + "\r");
  auto plain = run({"-u", coordinator.url(), "-w", "10", "backup"}, clock, false);
  EXPECT_EQ(plain.code, 0);
  EXPECT_EQ(plain.err.find("failed 1"), std::string::npos);
  EXPECT_EQ(plain.err.find('\r'), std::string::npos);
}

TEST(WaitForOp, PollErrorExitsOne) {
  TestServer server;
  server.server().Post("/backup", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"op_id":1,"status_url":")" + server.url() + R"(/backup/1"})", "application/json");
  });
  FakeClock clock;
  auto r = run({"-u", server.url(), "-w", "10", "backup"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Starting backup..\n");
  EXPECT_NE(r.err.find("WARNING:astacus.common.utils:Unexpected response from " + server.url() +
                       "/backup/1 to client._run_op[2]: 404"),
            std::string::npos)
      << r.err;
}

TEST(RunOp, WithoutWaitReturnsAfterStart) {
  FakeCoordinator coordinator("cleanup", 1, {"running"});
  FakeClock clock;
  auto r = run({"-u", coordinator.url(), "delete", "--backups", "a", "backup-b"}, clock);
  EXPECT_EQ(r.code, 0);
  expect_took(r.out, "cleanup");
  EXPECT_EQ(coordinator.polls(), 0u);
  r = run({"-u", coordinator.url(), "-w", "0", "cleanup", "--keep-days", "0"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(coordinator.polls(), 0u);
  EXPECT_EQ(coordinator.bodies(),
            (std::vector<std::string>{R"({"explicit_delete":["backup-a","backup-b"]})",
                                      R"({"retention":{"keep_days":0}})"}));
}

TEST(RunOp, ConflictLogsPythonWarning) {
  TestServer server;
  server.server().Post("/backup", [](const httplib::Request&, httplib::Response& res) {
    res.status = 409;
    res.set_content(
        R"({"detail":{"code":"cluster_lock_unavailable","message":"Unable to acquire cluster lock to create operation"}})",
        "application/json");
  });
  FakeClock clock;
  auto r = run({"-u", "http://127.0.0.1:" + std::to_string(server.port()), "-w", "60", "backup"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, fixture_text("053-backup-while-locked", "stdout.txt", server.port()));
  EXPECT_EQ(r.err, fixture_text("053-backup-while-locked", "stderr.txt", server.port()));
}

TEST(RunOp, UnreachableExitsOne) {
  FakeClock clock;
  auto r = run({"-u", "http://127.0.0.1:1", "backup"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Starting backup..\n");
}

TEST(List, SendsStorageAsQueryAndBodyAndPrintsTables) {
  std::string query;
  TestServer server;  // after the state its handlers use: stopped first
  server.server().Get("/list", [&](const httplib::Request& req, httplib::Response& res) {
    query = req.get_param_value("storage");
    res.set_content(R"({"storages":[{"storage_name":"local","backups":[]}]})", "application/json");
  });
  FakeClock clock;
  auto r = run({"-u", server.url(), "list", "--storage", "a b"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(query, "a b");
  EXPECT_EQ(r.out, fixture_text("008-list-empty", "stdout.txt", server.port()));
  EXPECT_EQ(r.err, "INFO:astacus.common.utils:request get " + server.url() +
                       "/list?storage=a%20b by client._run_list\n");
  r = run({"-u", server.url(), "list", "--json"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "{\"storages\":[{\"backups\":[],\"storage_name\":\"local\"}]}\n");
  EXPECT_EQ(r.err, fixture_text("008-list-empty", "stderr.txt", server.port()));
}

TEST(List, UnreachableExitsOneWithWarning) {
  FakeClock clock;
  auto r = run({"-u", "http://127.0.0.1:1", "list"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.err.starts_with(
      "INFO:astacus.common.utils:request get http://127.0.0.1:1/list by client._run_list\n"
      "WARNING:astacus.common.utils:Unexpected response from http://127.0.0.1:1/list to "
      "client._run_list: "))
      << r.err;
}

TEST(Reload, RetriesUntilSuccess) {
  std::atomic<int> calls{0};
  TestServer server;  // after the state its handlers use: stopped first
  server.server().Post("/config/reload", [&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls < 3 ? 503 : 200;
    res.set_content("{}", "application/json");
  });
  FakeClock clock;
  auto r = run({"-u", server.url(), "reload"}, clock);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps, (std::vector<double>{0.1, 0.2}));
}

TEST(Reload, GivesUpWhenTheBudgetIsUsed) {
  std::atomic<int> calls{0};
  TestServer server;  // after the state its handlers use: stopped first
  server.server().Post("/config/reload", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 500;
  });
  FakeClock clock;
  EXPECT_EQ(run({"-u", server.url(), "-w", "1", "reload"}, clock).code, 1);
  EXPECT_EQ(calls, 4);
  // Without -w the default 30 s budget applies: 0.1 * (2^8 - 1) = 25.5 s of sleeps.
  FakeClock clock2;
  calls = 0;
  EXPECT_EQ(run({"-u", server.url(), "reload"}, clock2).code, 1);
  EXPECT_EQ(calls, 9);
  EXPECT_EQ(clock2.sleeps.back(), 12.8);
}

TEST(CheckReload, ReportsStatus) {
  std::atomic<bool> needs{false};
  TestServer server;  // after the state its handlers use: stopped first
  server.server().Get("/config/status", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(R"({"config_hash":"ab","needs_reload":)") + (needs ? "true" : "false") + "}",
                    "application/json");
  });
  FakeClock clock;
  auto r = run({"-u", server.url(), "check-reload"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Configuration does not need to be reloaded\n");
  r = run({"-u", server.url(), "check-reload", "--status"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
  needs = true;
  r = run({"-u", server.url(), "check-reload"}, clock);
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "Configuration needs to be reloaded\n");
  r = run({"-u", server.url(), "check-reload", "--status"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  r = run({"-u", "http://127.0.0.1:1", "check-reload"}, clock);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "Failed to get configuration status\n");
}

}  // namespace
}  // namespace astacus::cli

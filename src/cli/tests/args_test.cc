#include <gtest/gtest.h>

#include <sstream>

#include "cli/args.h"
#include "cli/cli.h"

namespace astacus::cli {
namespace {

struct Parsed {
  ParseOutcome outcome;
  std::string out, err;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "astacus");
  std::ostringstream out, err;
  Parsed p{parse_args(args, out, err), "", ""};
  p.out = out.str();
  p.err = err.str();
  return p;
}

Invocation parse_ok(std::vector<std::string> args) {
  auto p = parse(std::move(args));
  EXPECT_TRUE(p.outcome.invocation) << p.err;
  return p.outcome.invocation.value_or(Invocation{});
}

TEST(Args, GlobalOptionsAndDefaults) {
  auto inv = parse_ok({"backup"});
  EXPECT_EQ(inv.command, Command::kBackup);
  EXPECT_EQ(inv.url, "http://localhost:5515");
  EXPECT_FALSE(inv.wait_seconds);
  inv = parse_ok({"-u", "http://h:1", "--wait-completion", "120", "backup"});
  EXPECT_EQ(inv.url, "http://h:1");
  EXPECT_EQ(inv.wait_seconds, 120);
  EXPECT_EQ(parse_ok({"-w", "0", "backup"}).wait_seconds, 0);
}

TEST(Args, RestoreBodyHasOnlyGivenKeysInPythonOrder) {
  EXPECT_EQ(restore_request(parse_ok({"restore"}).restore).body, "{}");
  auto inv = parse_ok({"restore", "--stop-after-step", "s", "--backup", "backup-x", "--storage", "st"});
  auto req = restore_request(inv.restore);
  EXPECT_EQ(req.label, "restore");
  EXPECT_EQ(req.path, "restore");
  EXPECT_EQ(req.body, R"({"storage":"st","name":"backup-x","stop_after_step":"s"})");
  EXPECT_EQ(restore_request(parse_ok({"restore", "--backup", "nope"}).restore).body,
            R"({"name":"nope"})");
}

TEST(Args, CleanupSendsZeroValues) {
  EXPECT_EQ(cleanup_request(parse_ok({"cleanup"}).cleanup).body, "{}");
  auto req = cleanup_request(parse_ok({"cleanup", "--keep-days", "0", "--minimum-backups", "0"}).cleanup);
  EXPECT_EQ(req.label, "cleanup");
  EXPECT_EQ(req.body, R"({"retention":{"minimum_backups":0,"keep_days":0}})");
  req = cleanup_request(
      parse_ok({"cleanup", "--maximum-backups", "3", "--minimum-backups", "1", "--keep-days", "7"}).cleanup);
  EXPECT_EQ(req.body, R"({"retention":{"minimum_backups":1,"maximum_backups":3,"keep_days":7}})");
}

TEST(Args, DeleteAddsMissingBackupPrefix) {
  auto inv = parse_ok({"delete", "--backups", "2026-11-25T06:24:55+00:00", "backup-2026-11-25T06:24:50+00:00"});
  auto req = delete_request(inv.delete_names);
  EXPECT_EQ(req.label, "cleanup");
  EXPECT_EQ(req.path, "cleanup");
  EXPECT_EQ(req.body,
            R"({"explicit_delete":["backup-2026-11-25T06:24:55+00:00","backup-2026-11-25T06:24:50+00:00"]})");
  EXPECT_EQ(with_backup_prefix("backup-"), "backup-");
  EXPECT_EQ(with_backup_prefix("x"), "backup-x");
}

TEST(Args, OtherCommands) {
  EXPECT_EQ(parse_ok({"delta", "backup"}).command, Command::kDeltaBackup);
  EXPECT_EQ(delta_backup_request().path, "delta/backup");
  auto inv = parse_ok({"delta", "list", "--storage", "s"});
  EXPECT_EQ(inv.command, Command::kDeltaList);
  EXPECT_EQ(inv.storage, "s");
  inv = parse_ok({"list", "--storage", "a b", "--json"});
  EXPECT_EQ(inv.command, Command::kList);
  EXPECT_EQ(inv.storage, "a b");
  EXPECT_TRUE(inv.json);
  EXPECT_FALSE(parse_ok({"list"}).storage);
  EXPECT_EQ(parse_ok({"reload"}).command, Command::kReload);
  inv = parse_ok({"check-reload", "--status"});
  EXPECT_EQ(inv.command, Command::kCheckReload);
  EXPECT_TRUE(inv.status_only);
  inv = parse_ok({"server", "--config", "/etc/a.yaml"});
  EXPECT_EQ(inv.command, Command::kServer);
  EXPECT_EQ(inv.config_path, "/etc/a.yaml");
  EXPECT_EQ(parse_ok({"manifest", "-c", "x", "list"}).command, Command::kManifest);
}

TEST(Args, HelpGoesToStdoutWithExitZero) {
  auto p = parse({"--help"});
  EXPECT_FALSE(p.outcome.invocation);
  EXPECT_EQ(p.outcome.exit_code, 0);
  for (const char* cmd : {"server", "reload", "check-reload", "backup", "restore", "list", "cleanup",
                          "delete", "delta", "manifest", "--wait-completion", "--url"}) {
    EXPECT_NE(p.out.find(cmd), std::string::npos) << cmd;
  }
  EXPECT_EQ(p.err, "");
  p = parse({"restore", "-h"});
  EXPECT_EQ(p.outcome.exit_code, 0);
  EXPECT_NE(p.out.find("--stop-after-step"), std::string::npos);
}

TEST(Args, NoCommandPrintsHelpOnStderrWithExitOne) {
  auto p = parse({});
  EXPECT_FALSE(p.outcome.invocation);
  EXPECT_EQ(p.outcome.exit_code, 1);
  EXPECT_EQ(p.out, "");
  EXPECT_NE(p.err.find("backup"), std::string::npos);
  EXPECT_NE(p.err.find("Astacus - cluster backup tool"), std::string::npos);
}

TEST(Args, UsageErrorsExitTwo) {
  for (std::vector<std::string> bad : std::vector<std::vector<std::string>>{
           {"server"},                   // -c is required
           {"backup", "-w", "5"},        // global options go before the command
           {"-w", "abc", "backup"},      // -w is an integer
           {"nosuch"},
           {"delete"},                   // --backups is required
           {"delete", "--backups"},      // with at least one name
           {"delta"},                    // needs backup or list
           {"cleanup", "--keep-days", "x"},
           {"backup", "list"}}) {
    auto p = parse(bad);
    EXPECT_FALSE(p.outcome.invocation) << bad.front();
    EXPECT_EQ(p.outcome.exit_code, 2) << bad.front();
    EXPECT_NE(p.err, "") << bad.front();
  }
}

TEST(RunCli, ServerCallsServerMainAndManifestNeedsAConfig) {
  std::ostringstream out, err;
  CliEnv env{&out, &err};
  std::string seen;
  EXPECT_EQ(run_cli({"astacus", "server", "-c", "/x.yaml"},
                    [&](const std::string& path) {
                      seen = path;
                      return 7;
                    },
                    env),
            7);
  EXPECT_EQ(seen, "/x.yaml");
  EXPECT_EQ(run_cli({"astacus", "manifest", "list"}, nullptr, env), 2);  // -c is required
  EXPECT_NE(err.str().find("--config"), std::string::npos) << err.str();
  EXPECT_EQ(run_cli({"astacus"}, nullptr, env), 1);
}

}  // namespace
}  // namespace astacus::cli

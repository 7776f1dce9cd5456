// CLI behaviour a user sees, compared with the stock Python client's runs (files-zstd-3node cli/).
#include <gtest/gtest.h>

#include <cctype>

#include "fixture.h"

namespace astacus::compat {
namespace {

constexpr char k3Node[] = "files-zstd-3node";
const std::vector<std::string> kCommands = {"server", "reload", "check-reload", "backup",
                                            "restore", "list", "cleanup", "delete", "delta", "manifest"};

// Spec §12 case 1 (cli/007): help on stderr, nothing on stdout, exit 1. The usage text itself is
// argparse's in Python and ours here; it must name every command.
TEST(CompatCli, Case1_NoSubcommandPrintsHelpToStderrAndExits1) {
  auto python = load_cli(k3Node, "007-no-args");
  auto r = testing::run_astacus({});
  EXPECT_EQ(r.exit_code, python.exit_code);
  EXPECT_EQ(r.out, python.out);
  std::string lower = r.err;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(lower.find("usage"), std::string::npos) << r.err;  // "usage:" (argparse), "Usage:" (ours)
  for (const auto& c : kCommands) EXPECT_NE(r.err.find(c), std::string::npos) << c << " missing from\n" << r.err;
}

// cli/006: --help on stdout, exit 0.
TEST(CompatCli, HelpGoesToStdoutAndExits0) {
  auto python = load_cli(k3Node, "006-help");
  auto r = testing::run_astacus({"--help"});
  EXPECT_EQ(r.exit_code, python.exit_code);
  EXPECT_EQ(r.err, python.err);
  for (const auto& c : kCommands) EXPECT_NE(r.out.find(c), std::string::npos) << c << " missing from\n" << r.out;
}

// cli/066: an unreachable coordinator → exit 1, nothing on stdout, the reason on stderr.
TEST(CompatCli, ListAgainstClosedPortExits1) {
  auto python = load_cli(k3Node, "066-list-unreachable");
  auto r = testing::run_astacus({"-u", "http://127.0.0.1:1", "list"});
  EXPECT_EQ(r.exit_code, python.exit_code);
  EXPECT_EQ(r.out, python.out);
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
}

// cli/008: `list` of an empty storage prints the lower-case fallback headers, byte for byte.
TEST(CompatCli, ListOfEmptyStorageIsByteIdentical) {
  FixtureCluster cluster(k3Node);
  for (const char* sub : {"data", "json"}) {
    fs::remove_all(cluster.storage_dir() / sub);
    fs::create_directories(cluster.storage_dir() / sub);
  }
  cluster.start();
  auto python = load_cli(k3Node, "008-list-empty");
  auto r = cluster.cli({"list"});
  EXPECT_EQ(r.exit_code, python.exit_code) << r.err;
  EXPECT_EQ(r.out, python.out);
  EXPECT_EQ(parse_json(send("GET", cluster.url() + "/list").body),
            load_exchange(k3Node, "004-GET-list-empty-storage.txt").json());
}

}  // namespace
}  // namespace astacus::compat

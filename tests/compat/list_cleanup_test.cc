// `GET /list` and `astacus list` on Python-written storages must answer exactly what Python
// answered (the entries derive only from the manifests), and cleanup/delete must leave the same
// storage objects (http/cleanup-effects.json of files-zstd-3node).
#include <gtest/gtest.h>

#include <ctime>
#include <set>
#include <regex>

#include "fixture.h"

namespace astacus::compat {
namespace {

constexpr char k3Node[] = "files-zstd-3node";

// The captured list answer for the storage state that the fixture's storage/ holds.
std::string captured_list_file(const std::string& fixture) {
  return fixture == k3Node ? "021-GET-list-after-backup2.txt" : "004-GET-list.txt";
}
std::string captured_cli_list_dir(const std::string& fixture) {
  return fixture == k3Node ? "022-list-2-backups" : "005-list";
}

class EveryFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryFixture, GetListEqualsPythonAnswer) {
  FixtureCluster cluster(GetParam());
  cluster.start();
  auto captured = load_exchange(GetParam(), captured_list_file(GetParam()));
  ASSERT_EQ(captured.path, "/list");
  auto r = send("GET", cluster.url() + "/list");
  EXPECT_EQ(r.status, captured.status);
  EXPECT_EQ(parse_json(r.body), captured.json()) << "ours:   " << r.body << "\npython: " << captured.body;
}

TEST_P(EveryFixture, CliListStdoutIsByteIdentical) {
  FixtureCluster cluster(GetParam());
  cluster.start();
  auto python = load_cli(GetParam(), captured_cli_list_dir(GetParam()));
  auto r = cluster.cli({"list"});
  EXPECT_EQ(r.exit_code, python.exit_code) << r.err;
  EXPECT_EQ(r.out, python.out);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EveryFixture, ::testing::ValuesIn(fixture_names()), [](const auto& p) {
  auto name = p.param;
  for (auto& c : name) {
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

std::vector<std::string> effects(const std::string& key) {
  auto doc = parse_json(read_text(fixture_dir(k3Node) / "http/cleanup-effects.json"));
  return doc.at(key).get<std::vector<std::string>>();
}

// Seconds since the epoch of "2026-11-25T06:24:51.027525Z".
int64_t epoch_seconds(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) throw std::runtime_error("bad time " + iso);
  return static_cast<int64_t>(timegm(&tm));
}

// cli/057, http/058-060, cli/061-063, http/064 (spec §12 cases 27, 28, 46, 49).
TEST(CompatCleanup, Case27_28_49_CleanupAndDeleteLeaveWhatPythonLeft) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  ASSERT_EQ(cluster.storage_files(), effects("before"));
  // Fill the list cache: later lists must still drop deleted manifests (case 27).
  auto first = send("GET", cluster.url() + "/list");
  EXPECT_EQ(parse_json(first.body), load_exchange(k3Node, "021-GET-list-after-backup2.txt").json());

  // cli/057: the config retention (min 1, max 2, keep_days 7) keeps both. Python compared whole
  // days since each backup's end with keep_days; when this runs more than 7 days after the
  // fixture was made, backup 1 is legitimately past keep_days.
  auto cleanup = cluster.cli({"-w", "60", "cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.out << cleanup.err;
  EXPECT_TRUE(std::regex_match(cleanup.out, std::regex(R"(Starting cleanup\.\.\n\.\. which took [0-9.e+-]+ seconds\n)")))
      << cleanup.out;
  auto list = parse_json(first.body);
  int64_t age_days = (std::time(nullptr) -
                      epoch_seconds(list["storages"][0]["backups"][0]["end"].get<std::string>())) / 86400;
  if (age_days <= 7) {
    EXPECT_EQ(cluster.storage_files(), effects("after_cleanup_config_retention_min1_max2_keep7"));
  } else {
    EXPECT_EQ(cluster.storage_files(), effects("after_cleanup_maximum_backups_1"));
  }

  // http/058-059: explicit maximum 1; the status has no progress key (case 28).
  auto captured_start = load_exchange(k3Node, "058-POST-cleanup-max1.txt");
  auto r = send("POST", cluster.url() + "/cleanup", *captured_start.request_body);
  ASSERT_EQ(r.status, captured_start.status) << r.body;
  auto start = parse_json(r.body);
  EXPECT_EQ(start.at("status_url"), cluster.url() + "/cleanup/" + std::to_string(start.at("op_id").get<int>()));
  auto status_url = start.at("status_url").get<std::string>();
  wait_op(status_url);
  EXPECT_EQ(python_view_of_status(status_url), load_exchange(k3Node, "059-GET-cleanup_16-cleanup-max1-status.txt").body);
  EXPECT_EQ(cluster.storage_files(), effects("after_cleanup_maximum_backups_1"));
  EXPECT_EQ(parse_json(send("GET", cluster.url() + "/list").body),
            load_exchange(k3Node, "060-GET-list-after-cleanup-max1.txt").json());

  // cli/061: Python ignored a name without the backup- prefix (the form `list` prints) and
  // deleted nothing; we delete it (README, "Differences from Python Astacus"), which leaves what
  // Python's prefixed delete of cli/062 left: nothing.
  auto python_delete = load_cli(k3Node, "061-delete-without-prefix-ignored");
  auto del = cluster.cli({"-w", "60", "delete", "--backups", "2026-11-25T06:24:55+00:00"});
  EXPECT_EQ(del.exit_code, python_delete.exit_code) << del.out << del.err;
  EXPECT_EQ(cluster.storage_files(), effects("after_delete_latest_with_prefix"));
  EXPECT_EQ(parse_json(send("GET", cluster.url() + "/list").body),
            load_exchange(k3Node, "064-GET-list-after-delete.txt").json());
  auto empty_list = cluster.cli({"list"});
  EXPECT_EQ(empty_list.exit_code, 0);
  EXPECT_EQ(empty_list.out, load_cli(k3Node, "063-list-after-delete").out);
}

// cli/062: the prefixed form deletes the last backup and all its blobs even below
// minimum_backups (explicit delete wins), as in Python.
TEST(CompatCleanup, Case11_DeleteWithPrefixRemovesManifestAndItsBlobs) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  const auto& info = cluster.info();
  auto del = cluster.cli({"-w", "60", "delete", "--backups", info.backup(1).name});
  EXPECT_EQ(del.exit_code, 0) << del.out << del.err;
  // Backup 1 remains, with exactly the blobs it references.
  std::set<std::string> wanted = {"json/" + info.backup(0).name, "json/" + info.backup(0).name + ".metadata"};
  auto manifest = info.plaintext_manifest(info.backup(0));
  for (const auto& node : manifest["snapshot_results"]) {
    for (const auto& h : node["hashes"]) {
      wanted.insert("data/" + h["hexdigest"].get<std::string>());
      wanted.insert("data/" + h["hexdigest"].get<std::string>() + ".metadata");
    }
  }
  EXPECT_EQ(cluster.storage_files(), std::vector<std::string>(wanted.begin(), wanted.end()));
  EXPECT_EQ(wanted.size(), 2u + 2u * info.backup(0).blobs_referenced);
}

}  // namespace
}  // namespace astacus::compat

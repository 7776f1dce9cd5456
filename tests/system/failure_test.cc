// Failures a production cluster meets: locked or dead nodes, bad configs, hostile or corrupt
// storage contents. Each must fail clearly and lose nothing.
#include <gtest/gtest.h>

#include <fstream>

#include "helpers.h"
#include "http/client.h"
#include "manifest/json.h"
#include "storage/local/local_backend.h"
#include "storage/object_store.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;

TEST(SystemFailures, BackupRefusedWhileANodeIsLockedByAnotherLocker) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();
  auto lock = http::request("POST", cluster.url(1) + "/node/lock?locker=someone-else&ttl=60");
  ASSERT_TRUE(lock && lock->status == 200);

  auto backup = cluster.cli({"-w", "30", "backup"});
  EXPECT_EQ(backup.exit_code, 1) << backup.out << backup.err;
  EXPECT_NE(backup.err.find("cluster_lock_unavailable"), std::string::npos) << backup.err;
  EXPECT_TRUE(cluster.stored_objects("json").empty());
  // Our partial locks were released: node 0 can be locked by someone else now.
  auto relock = http::request("POST", cluster.url(0) + "/node/lock?locker=x&ttl=60");
  ASSERT_TRUE(relock);
  EXPECT_EQ(relock->status, 200);
}

TEST(SystemFailures, BackupWithOneNodeDownFailsNamingThatNode) {
  TestCluster cluster;
  fill_sample_data(cluster);
  cluster.start();
  cluster.stop_node(2);
  auto backup = cluster.cli({"-w", "30", "backup"});
  EXPECT_EQ(backup.exit_code, 1);
  EXPECT_NE(backup.err.find(cluster.url(2)), std::string::npos) << backup.err;
  EXPECT_TRUE(cluster.stored_objects("json").empty());
}

TEST(SystemFailures, NodeKilledDuringBackupFailsTheBackupWithoutManifest) {
  TestCluster cluster;
  fill_sample_data(cluster);
  // Enough data that the backup is still running when the node dies.
  for (int i = 0; i < 40; ++i) {
    write_file(cluster.root(2) / ("bulk/f" + std::to_string(i)), random_bytes(1 << 20, 100 + i), 1);
  }
  cluster.start();
  auto start = http::request("POST", cluster.url(0) + "/backup");
  ASSERT_TRUE(start && start->status == 200);
  cluster.server(2).kill();
  auto status_url = nlohmann::json::parse(start->body)["status_url"].get<std::string>();
  std::string state;
  for (int i = 0; i < 600 && state != "fail" && state != "done"; ++i) {
    auto r = http::request("GET", status_url);
    ASSERT_TRUE(r);
    state = nlohmann::json::parse(r->body)["state"];
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, "fail");
  EXPECT_TRUE(cluster.stored_objects("json").empty());
}

struct BadConfigCase {
  std::string name;
  std::function<void(nlohmann::json&)> edit;
  std::string raw;  // used instead of the edited JSON when non-empty
  std::string expected;
};

TEST(SystemFailures, BadConfigsAreRefusedNamingTheKey) {
  TestCluster cluster({.nodes = 1});
  std::vector<BadConfigCase> cases = {
      {"unknown key", [](auto& c) { c["node"]["rooot"] = "/tmp"; }, "", "node.rooot"},
      {"unknown top-level key", [](auto& c) { c["nodez"] = 1; }, "", "nodez"},
      {"wrong type", [](auto& c) { c["uvicorn"]["port"] = "abc"; }, "", "uvicorn.port"},
      {"missing db_path", [](auto& c) { c["node"].erase("db_path"); }, "", "node.db_path"},
      {"missing root dir", [](auto& c) { c["node"]["root"] = "/nonexistent/astacus-root"; }, "",
       "node.root"},
      {"bad compression", [](auto& c) { c["object_storage"]["compression"]["algorithm"] = "gzip"; },
       "", "object_storage.compression.algorithm"},
      {"malformed yaml", nullptr, "coordinator: [unclosed\nnode: {\n", "bad.conf"},
  };
  for (const auto& c : cases) {
    auto path = cluster.work_dir() / "bad.conf";
    std::ofstream out(path);
    if (c.raw.empty()) {
      auto config = cluster.config(0);
      c.edit(config);
      out << config.dump(2);
    } else {
      out << c.raw;
    }
    out.close();
    auto r = run_astacus({"server", "-c", path.string()}, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << c.name << ": " << r.err;
  }
}

// The cluster's local storage, opened as the servers open it (zstd, no encryption).
Result<std::unique_ptr<storage::ObjectStore>> open_cluster_store(const TestCluster& cluster) {
  config::ObjectStorageConfig config;
  config.default_storage = "local";
  config.storages["local"] = config::LocalStorageConfig{cluster.storage_dir().string(), ""};
  config.compression.algorithm = "zstd";
  return storage::ObjectStore::open(config, "local");
}

// Writes a manifest object straight into the local storage, as a hostile writer could.
void put_manifest(TestCluster& cluster, const std::string& name, const std::string& json) {
  auto store = open_cluster_store(cluster);
  ASSERT_TRUE(store) << store.error().message;
  ASSERT_TRUE((*store)->upload_json(name, json));
}

TEST(SystemFailures, ManifestPathEscapingTheRootIsRefusedAndNothingIsWritten) {
  TestCluster cluster({.nodes = 1});
  cluster.start();
  for (std::string evil : {"../escaped.txt", "/tmp/astacus-absolute-escape.txt", "a/../../escaped2.txt"}) {
    std::string manifest = R"({"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:00:01Z","attempt":1,)"
                           R"("snapshot_results":[{"start":"2026-01-01T00:00:00Z","end":null,"state":)"
                           R"({"root_globs":["**"],"files":[{"relative_path":")" + evil +
                           R"(","file_size":5,"mtime_ns":1,"content_b64":"aGVsbG8="}]},"files":1,)"
                           R"("total_size":5,"hashes":[],"hostname":"h","az":"","progress":)"
                           R"({"handled":0,"failed":0,"total":0,"final":true}}],"upload_results":[],)"
                           R"("plugin":"files","plugin_data":{},"filename":"","tiered_storage_results":null})";
    std::string name = "backup-2026-01-01T00:00:0" + std::to_string(evil.size() % 10) + "+00:00";
    put_manifest(cluster, name, manifest);
    auto r = cluster.cli({"-w", "30", "restore", "--backup", name});
    EXPECT_EQ(r.exit_code, 1) << evil << r.out << r.err;
  }
  EXPECT_FALSE(fs::exists(cluster.root(0).parent_path() / "escaped.txt"));
  EXPECT_FALSE(fs::exists(cluster.root(0).parent_path().parent_path() / "escaped2.txt"));
  EXPECT_FALSE(fs::exists("/tmp/astacus-absolute-escape.txt"));
  EXPECT_TRUE(read_tree(cluster.root(0)).empty());
}

// The coordinator keeps no file lists for a restore, but it still checks every entry of every
// node's list before any node is asked to write.
TEST(SystemFailures, BadFileEntryOfAnotherNodeFailsRestoreBeforeAnyNodeWrites) {
  TestCluster cluster({.nodes = 2});
  write_file(cluster.root(0) / "a.bin", random_bytes(5000, 1), 1700000000000000000);
  write_file(cluster.root(1) / "b.bin", random_bytes(5000, 2), 1700000000000000000);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto names = cluster.stored_objects("json");
  ASSERT_EQ(names.size(), 1u);

  auto store = open_cluster_store(cluster);
  ASSERT_TRUE(store) << store.error().message;
  auto text = (*store)->download_json(names[0]);
  ASSERT_TRUE(text) << text.error().message;
  auto manifest = nlohmann::ordered_json::parse(*text);
  manifest["snapshot_results"][1]["state"]["files"][0]["mtime_ns"] = "soon";
  const std::string bad_name = "backup-2030-01-01T00:00:00+00:00";
  put_manifest(cluster, bad_name, manifest.dump());

  write_file(cluster.root(0) / "a.bin", "local edit", 1800000000000000000);
  auto r = cluster.cli({"-w", "60", "restore", "--backup", bad_name});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("snapshot_results[1].state.files[0].mtime_ns: expected integer"), std::string::npos)
      << r.err;
  EXPECT_TRUE(read_tree(cluster.root(0)).at("a.bin").content == "local edit") << "node 0 must write nothing";
}

TEST(SystemFailures, CorruptBlobFailsRestoreNamingItAndLeavesTheFileAlone) {
  TestCluster cluster({.nodes = 1});
  write_file(cluster.root(0) / "precious.bin", random_bytes(10000, 1), 1700000000000000000);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto blobs = cluster.stored_objects("data");
  ASSERT_EQ(blobs.size(), 1u);

  // Replace the blob with a well-formed object of other content: only the hash check sees it.
  auto store = open_cluster_store(cluster);
  ASSERT_TRUE(store);
  auto encoded = (*store)->encode(random_bytes(10000, 2));
  ASSERT_TRUE(encoded);
  ASSERT_TRUE((*store)->backend().put("data/" + blobs[0], encoded->data, encoded->metadata));

  write_file(cluster.root(0) / "precious.bin", "local edit", 1800000000000000000);
  auto r = cluster.cli({"-w", "60", "restore"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(blobs[0]), std::string::npos) << "the CLI names the corrupt blob: " << r.err;
  auto status = http::request("GET", cluster.url(0) + "/restore/2");
  ASSERT_TRUE(status);
  EXPECT_NE(status->body.find(blobs[0]), std::string::npos) << status->body;
  EXPECT_NE(status->body.find("corrupt"), std::string::npos) << status->body;
  EXPECT_EQ(read_tree(cluster.root(0)).at("precious.bin").content, "local edit");
}

}  // namespace
}  // namespace astacus::testing

namespace astacus::testing {
namespace {

TEST(SystemFailure, ASecondServerOnTheSamePortIsRefusedInsteadOfSharingIt) {
  TestCluster cluster({.nodes = 1});
  cluster.start();
  auto second = run_astacus({"server", "-c", cluster.config_path(0).string()}, std::chrono::seconds(20));
  EXPECT_NE(second.exit_code, 0) << "a second server must not bind a port already served";
  EXPECT_NE((second.out + second.err).find("cannot listen"), std::string::npos) << second.out << second.err;
  expect_ok(cluster.cli({"-w", "60", "backup"}), "the first server still serves every request");
}

}  // namespace
}  // namespace astacus::testing

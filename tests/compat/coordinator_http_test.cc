// Coordinator HTTP answers compared with the exchanges captured from Python Astacus on
// files-zstd-3node (http/001-017, 049-055), and spec §12 coordinator cases.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "codec/sha256.h"
#include "fixture.h"

namespace astacus::compat {
namespace {

constexpr char k3Node[] = "files-zstd-3node";

CapturedExchange captured(const std::string& file) { return load_exchange(k3Node, file); }

// Sends the captured request to the same node of our cluster; expects Python's status and
// byte-identical body.
void expect_same_exchange(const FixtureCluster& cluster, const std::string& file) {
  auto ex = captured(file);
  size_t node = static_cast<size_t>(ex.node.at(4) - '0');
  auto r = send(ex.method, cluster.url(node) + ex.path, ex.request_body);
  EXPECT_EQ(r.status, ex.status) << file << ": " << r.body;
  EXPECT_EQ(r.body, with_ports(ex.body, cluster)) << file;
  EXPECT_EQ(parse_json(r.body), parse_json(with_ports(ex.body, cluster))) << file;
  EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << file << ": " << r.content_type;
}

TEST(CompatCoordinatorHttp, RootAnswersEmptyObject) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  expect_same_exchange(cluster, "001-GET-root.txt");
}

TEST(CompatCoordinatorHttp, Case65_NodeMetadataListsTheThreeFeatures) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto python = captured("002-GET-node_metadata.txt").json();
  auto r = send("GET", cluster.url() + "/node/metadata");
  ASSERT_EQ(r.status, 200);
  auto ours = parse_json(r.body);
  EXPECT_EQ(ours["features"], python["features"]);
  EXPECT_TRUE(ours["version"].is_string()) << r.body;  // our own version string
  EXPECT_EQ(ours.size(), python.size()) << r.body;
}

TEST(CompatCoordinatorHttp, Case8_ConfigStatusHashesTheConfigFileBytes) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto r = send("GET", cluster.url() + "/config/status");
  ASSERT_EQ(r.status, 200);
  auto python = captured("005-GET-config_status.txt").json();
  auto ours = parse_json(r.body);
  python["config_hash"] = codec::sha256_hex(read_text(cluster.config_path(0)));  // our substituted file
  EXPECT_EQ(ours, python);
}

TEST(CompatCoordinatorHttp, Case7_CheckReloadFollowsTheConfigFile) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  EXPECT_EQ(cluster.cli({"check-reload", "--status"}).exit_code, 0);
  std::ofstream(cluster.config_path(0), std::ios::app) << "# edited\n";
  EXPECT_EQ(cluster.cli({"check-reload", "--status"}).exit_code, 1);
  auto r = cluster.cli({"check-reload"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "Configuration needs to be reloaded\n");
  EXPECT_EQ(cluster.cli({"-w", "10", "reload"}).exit_code, 0);
  EXPECT_EQ(cluster.cli({"check-reload", "--status"}).exit_code, 0);
  r = cluster.cli({"check-reload"});
  EXPECT_EQ(r.out, "Configuration does not need to be reloaded\n");
}

TEST(CompatCoordinatorHttp, Case13_UnknownOpIdIs404) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  expect_same_exchange(cluster, "015-GET-backup_9999-unknown-op-id-404.txt");
  // Spec §12 case 13 on a fresh server.
  auto r = send("GET", cluster.url() + "/lock/123");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(parse_json(r.body), parse_json(R"({"detail":{"code":"operation_id_mismatch","message":"Unknown operation id","op":123}})"));
}

TEST(CompatCoordinatorHttp, Case13_KnownIdUnderAnotherOpNameIs404) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  // Op 1 is a lock here (a backup in Python's run); /restore/1 names the wrong op either way.
  auto r = send("POST", cluster.url() + "/lock?locker=x&ttl=60");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(parse_json(r.body)["op_id"], 1);
  expect_same_exchange(cluster, "016-GET-restore_1-wrong-op-name-404.txt");
}

TEST(CompatCoordinatorHttp, InvalidOpNameIs422) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  expect_same_exchange(cluster, "017-GET-nosuchop_1-invalid-op-name-422.txt");
}

TEST(CompatCoordinatorHttp, Case12_LockWithoutLockerIs422) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto r = send("POST", cluster.url() + "/lock");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(parse_json(r.body),
            parse_json(R"({"detail":[{"loc":["query","locker"],"msg":"field required","type":"value_error.missing"}]})"));
}

TEST(CompatCoordinatorHttp, Case14_LockWithZeroNodesIsDone) {
  FixtureCluster cluster(k3Node, {.nodes = 0});
  cluster.start();
  auto r = send("POST", cluster.url() + "/lock?locker=x");
  ASSERT_EQ(r.status, 200) << r.body;
  auto start = parse_json(r.body);
  EXPECT_EQ(wait_op(start.at("status_url")), parse_json(R"({"state":"done"})"));
}

// http/049-056 and cli/053; spec §12 cases 6 and 15.
TEST(CompatCoordinatorHttp, Case6_15_DebugLockLocksEveryNodeAndBlocksOps) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto ex = captured("049-POST-lock_locker=cl_ttl=60-debug-lock.txt");
  auto r = send("POST", cluster.url() + ex.path);
  ASSERT_EQ(r.status, ex.status) << r.body;
  auto start = parse_json(r.body);
  EXPECT_EQ(start["op_id"], 1);
  auto python = parse_json(with_ports(ex.body, cluster));
  python["op_id"] = 1;
  python["status_url"] = cluster.url() + "/lock/1";
  EXPECT_EQ(start, python);
  EXPECT_EQ(start.dump(), python.dump()) << "key order";
  wait_op(start["status_url"]);
  EXPECT_EQ(send("GET", start["status_url"]).body, captured("050-GET-lock_10-debug-lock-status.txt").body);
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto lock = send("POST", cluster.url(i) + "/node/lock?locker=other&ttl=60");
    EXPECT_EQ(lock.status, 409) << "node" << i << " not locked by the debug lock";
  }

  // http/051-052: ops cannot take the cluster lock. Our message also names the refusing nodes
  // (README "Differences": the 409 names each node), so only the code is Python's.
  for (const char* file : {"051-POST-backup-while-nodes-locked-409.txt", "052-POST-cleanup-while-nodes-locked-409.txt"}) {
    auto ex409 = captured(file);
    auto refused = send(ex409.method, cluster.url() + ex409.path, ex409.request_body);
    EXPECT_EQ(refused.status, ex409.status) << file;
    EXPECT_EQ(parse_json(refused.body)["detail"]["code"], ex409.json()["detail"]["code"]) << refused.body;
  }
  // cli/053 (case 6).
  auto cli = cluster.cli({"-w", "60", "backup"});
  auto python_cli = load_cli(k3Node, "053-backup-while-locked");
  EXPECT_EQ(cli.exit_code, python_cli.exit_code);
  EXPECT_EQ(cli.out, python_cli.out);
  EXPECT_NE(cli.err.find("409"), std::string::npos) << cli.err;
  EXPECT_NE(cli.err.find("cluster_lock_unavailable"), std::string::npos) << cli.err;

  // http/054-055: Python's /unlock never reached the nodes and always failed; ours unlocks
  // every node (README "Differences": POST /unlock).
  auto unlock_ex = captured("054-POST-unlock_locker=cl-debug-unlock.txt");
  auto unlock = send("POST", cluster.url() + unlock_ex.path);
  ASSERT_EQ(unlock.status, unlock_ex.status) << unlock.body;
  auto unlock_start = parse_json(unlock.body);
  auto unlock_python = parse_json(with_ports(unlock_ex.body, cluster));
  unlock_python["op_id"] = unlock_start["op_id"];
  unlock_python["status_url"] = cluster.url() + "/unlock/" + std::to_string(unlock_start["op_id"].get<int>());
  EXPECT_EQ(unlock_start, unlock_python);
  EXPECT_EQ(wait_op(unlock_start["status_url"]), parse_json(R"({"state":"done"})"));
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto lock = send("POST", cluster.url(i) + "/node/lock?locker=other&ttl=60");
    EXPECT_EQ(lock.status, 200) << "node" << i << " still locked after /unlock: " << lock.body;
  }
}

// Spec §12 case 17: one node refusing the lock → 409, no op, no manifest, partial locks released.
TEST(CompatCoordinatorHttp, Case17_BackupRefusedByOneLockedNodeLeavesNoOpAndNoManifest) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto before = cluster.storage_files();
  ASSERT_EQ(send("POST", cluster.url(1) + "/node/lock?locker=someone-else&ttl=60").status, 200);
  auto r = send("POST", cluster.url() + "/backup");
  EXPECT_EQ(r.status, 409);
  auto detail = parse_json(r.body)["detail"];
  EXPECT_EQ(detail["code"], "cluster_lock_unavailable");
  // README "Differences": our message names the node that refused.
  EXPECT_NE(detail["message"].get<std::string>().find(cluster.url(1)), std::string::npos) << r.body;
  EXPECT_EQ(send("GET", cluster.url() + "/backup/1").status, 404);
  EXPECT_EQ(send("GET", cluster.url() + "/busy").body, "false");
  EXPECT_EQ(cluster.storage_files(), before);
  for (size_t i : {0, 2}) {
    EXPECT_EQ(send("POST", cluster.url(i) + "/node/lock?locker=x&ttl=60").status, 200) << "node" << i;
  }
}

// Spec §12 case 23 (http/003, 014): busy is false when idle, true while an op runs. Node 2 is
// paused (SIGSTOP) after the restore took the cluster lock, so the op cannot end meanwhile.
TEST(CompatCoordinatorHttp, Case23_BusyIsFalseWhenIdleAndTrueWhileAnOpRuns) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  expect_same_exchange(cluster, "003-GET-busy-idle.txt");

  auto r = send("POST", cluster.url() + "/restore", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  pid_t paused = cluster.server_pid(2);
  ASSERT_GT(paused, 0);
  ASSERT_EQ(::kill(paused, SIGSTOP), 0);
  auto status_url = parse_json(r.body)["status_url"].get<std::string>();
  nlohmann::json status;
  for (int i = 0; i < 100; ++i) {
    status = parse_json(send("GET", status_url).body);
    if (status["state"] != "starting") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto busy = send("GET", cluster.url() + "/busy").body;
  ::kill(paused, SIGCONT);
  EXPECT_EQ(busy, "true");
  EXPECT_EQ(status["state"], "running") << status;
  ASSERT_TRUE(status.contains("progress")) << status;
  for (const char* key : {"handled", "failed", "total", "final"}) EXPECT_TRUE(status["progress"].contains(key)) << status;

  EXPECT_EQ(wait_op(status_url)["state"], "done") << cluster.logs();
  expect_same_exchange(cluster, "014-GET-busy-after-backup.txt");
}

}  // namespace
}  // namespace astacus::compat

// Node API (/node/...) compared with Python's answers on files-zstd-3node (http/034-048) and
// the node cases of spec §12 (51-62, 64, 66), driven over HTTP like a coordinator would.
#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.h"

namespace astacus::compat {
namespace {

constexpr char k3Node[] = "files-zstd-3node";
constexpr int64_t kMtime = 1700000000123456789;

// Receives the PUTs nodes send to `result_url`.
class CallbackReceiver {
 public:
  CallbackReceiver() : port_(testing::free_port()) {
    server_.Put("/cb", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard guard(mutex_);
        bodies_.push_back(req.body);
      }
      cv_.notify_all();
      res.set_content("null", "application/json");
    });
    if (!server_.bind_to_port("127.0.0.1", port_)) throw std::runtime_error("cannot bind callback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~CallbackReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/cb"; }
  /// The first body received, waiting up to 10 s ("" if none came).
  std::string wait_first() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return !bodies_.empty(); });
    return bodies_.empty() ? "" : bodies_.front();
  }

 private:
  int port_;
  httplib::Server server_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> bodies_;
};

std::string node(const FixtureCluster& cluster, size_t i) { return cluster.url(i) + "/node"; }

void lock(const FixtureCluster& cluster, size_t i, const std::string& locker = "test") {
  auto r = send("POST", node(cluster, i) + "/lock?locker=" + locker + "&ttl=60");
  ASSERT_EQ(r.status, 200) << r.body;
}

bool succeeded(const nlohmann::json& result) {
  const auto& p = result.at("progress");
  return p.at("final") == true && p.at("failed") == 0 && p.at("handled") == p.at("total");
}

nlohmann::json snapshot(const FixtureCluster& cluster, size_t i, const nlohmann::json& groups) {
  return run_node_op(node(cluster, i), "snapshot", {{"groups", groups}});
}
nlohmann::json snapshot_all(const FixtureCluster& cluster, size_t i) {
  return snapshot(cluster, i, {{{"root_glob", "**"}}});
}

std::vector<std::string> paths_of(const nlohmann::json& result) {
  std::vector<std::string> out;
  for (const auto& f : result["state"]["files"]) out.push_back(f["relative_path"]);
  return out;
}

const nlohmann::json& file_of(const nlohmann::json& result, const std::string& path) {
  for (const auto& f : result["state"]["files"]) {
    if (f["relative_path"] == path) return f;
  }
  throw std::runtime_error(path + " not in snapshot " + result.dump());
}

// http/034-048 on node 1, in Python's order: statuses and bodies byte for byte.
TEST(CompatNodeHttp, Case51_NodeLockSequence) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  for (const char* file : {
           "034-POST-node_lock-missing-params-422.txt",
           "035-POST-node_snapshot-not-locked-409.txt",
           "036-POST-node_lock_locker=t1_ttl=60-ok.txt",
           "037-POST-node_lock_locker=t1_ttl=60-again-409.txt",
           "038-POST-node_lock_locker=t2_ttl=60-other-locker-409.txt",
           "039-POST-node_relock_locker=t2_ttl=60-other-locker-403.txt",
           "040-POST-node_relock_locker=t1_ttl=60-ok.txt",
           "041-POST-node_unlock_locker=t2-other-locker-403.txt",
           "042-POST-node_snapshot-locked-ok.txt",
           "044-GET-node_snapshot_9999-unknown-op-404.txt",
           "045-POST-node_snapshot-old-style-root_globs-only.txt",
           "046-POST-node_unlock_locker=t1-ok.txt",
           "047-POST-node_unlock_locker=t1-already-unlocked-409.txt",
           "048-POST-node_relock_locker=t1_ttl=60-not-locked-409.txt"}) {
    auto ex = load_exchange(k3Node, file);
    ASSERT_EQ(ex.node.rfind("node1 ", 0), 0u) << file;
    auto r = send(ex.method, cluster.url(1) + ex.path, ex.request_body);
    EXPECT_EQ(r.status, ex.status) << file << ": " << r.body;
    auto python = with_ports(ex.body, cluster);
    if (std::string(file).rfind("042", 0) == 0) {
      // The op id is ours: {"op_id":N,"status_url":".../node/snapshot/N"}.
      auto ours = parse_json(r.body);
      auto p = parse_json(python);
      p["op_id"] = ours["op_id"];
      p["status_url"] = node(cluster, 1) + "/snapshot/" + std::to_string(ours["op_id"].get<int>());
      EXPECT_EQ(r.body, p.dump()) << file;
      wait_node_op(ours["status_url"]);
      continue;
    }
    EXPECT_EQ(r.body, python) << file;
    EXPECT_NE(r.content_type.find("application/json"), std::string::npos) << file;
  }
}

// http/043 (spec §12 case 54): node 1's snapshot of backup 2's data, restored by us, is
// Python's SnapshotResult field for field (times and hostname aside).
TEST(CompatNodeHttp, Case54_SnapshotOfRestoredBackup2EqualsPythonsSnapshotResult) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  auto restore = cluster.cli({"-w", "120", "restore", "--backup", cluster.info().backup(1).name});
  ASSERT_EQ(restore.exit_code, 0) << restore.err << cluster.logs();
  lock(cluster, 1);
  auto ours = snapshot_all(cluster, 1);
  auto python = load_exchange(k3Node, "043-GET-node_snapshot_9-node1-snapshot-result.txt").json();
  for (const char* key : {"state", "files", "total_size", "hashes", "az", "progress"}) {
    EXPECT_EQ(ours[key], python[key]) << key;
  }
  std::set<std::string> our_keys, python_keys;
  for (const auto& [k, v] : ours.items()) our_keys.insert(k);
  for (const auto& [k, v] : python.items()) python_keys.insert(k);
  EXPECT_EQ(our_keys, python_keys);
  EXPECT_TRUE(ours["start"].is_string() && ours["end"].is_string()) << ours;
}

// Spec §12 case 52.
TEST(CompatNodeHttp, Case52_NodeLockExpiresAfterItsTtl) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  ASSERT_EQ(send("POST", node(cluster, 0) + "/lock?locker=a&ttl=1").status, 200);
  EXPECT_EQ(send("POST", node(cluster, 0) + "/lock?locker=b&ttl=60").status, 409);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto r = send("POST", node(cluster, 0) + "/lock?locker=b&ttl=60");
  EXPECT_EQ(r.status, 200) << r.body;
}

// Spec §12 case 53.
TEST(CompatNodeHttp, Case53_SnapshotNeedsBodyAndLockThenReportsToResultUrl) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "a.txt", "hello", kMtime);
  EXPECT_EQ(send("POST", node(cluster, 0) + "/snapshot").status, 422);
  auto unlocked = send("POST", node(cluster, 0) + "/snapshot", R"({"groups":[{"root_glob":"**"}]})");
  EXPECT_EQ(unlocked.status, 409);
  EXPECT_EQ(unlocked.body, R"({"detail":"Not locked"})");
  lock(cluster, 0);
  CallbackReceiver receiver;
  auto r = send("POST", node(cluster, 0) + "/snapshot",
                nlohmann::json{{"groups", {{{"root_glob", "**"}}}}, {"result_url", receiver.url()}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = receiver.wait_first();
  ASSERT_FALSE(body.empty()) << "no PUT to result_url\n" << cluster.logs();
  auto result = parse_json(body);
  EXPECT_TRUE(succeeded(result)) << body;
  EXPECT_EQ(result["az"], "") << body;  // the fixture configures no az
  // Our difference (README): the callback is the bare NodeResult; the coordinator ignores its
  // body and polls the status URL, which carries the file list.
  EXPECT_FALSE(result.contains("state")) << body;
  EXPECT_TRUE(result["hostname"].is_string()) << body;
}

// Spec §12 cases 54 and 55: hashes list the non-embedded files; uploading them stores
// data/<hexdigest> (with its sidecar) in the named storage.
TEST(CompatNodeHttp, Case55_UploadStoresBlobsUnderTheirHexdigest) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  std::string content = std::string(5000, 'u') + "unique to this test";
  write_file(cluster.root(0) / "fresh.bin", content, kMtime);
  write_file(cluster.root(0) / "small.txt", "embedded", kMtime);
  lock(cluster, 0);
  auto snap = snapshot_all(cluster, 0);
  ASSERT_EQ(snap["hashes"].size(), 1u) << snap;
  auto hex = snap["hashes"][0]["hexdigest"].get<std::string>();
  EXPECT_EQ(snap["hashes"][0]["size"], content.size());
  EXPECT_EQ(file_of(snap, "fresh.bin")["hexdigest"], hex);
  EXPECT_TRUE(file_of(snap, "small.txt").contains("content_b64"));
  ASSERT_FALSE(fs::exists(cluster.storage_dir() / "data" / hex));

  auto up = run_node_op(node(cluster, 0), "upload", {{"hashes", snap["hashes"]}, {"storage", "local"}});
  EXPECT_TRUE(succeeded(up)) << up;
  EXPECT_EQ(up["total_size"], content.size()) << up;
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / hex));
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / (hex + ".metadata")));
}

// Spec §12 case 57.
TEST(CompatNodeHttp, Case57_SnapshotGroupsChooseFilesAndEmbedding) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  for (const char* p : {"folder1/aaa", "folder2/ccc", "bbb", "ddd", "eee"}) write_file(cluster.root(0) / p, "12345", kMtime);
  lock(cluster, 0);
  auto snap = snapshot(cluster, 0,
                       {{{"root_glob", "**/aa*"}, {"embedded_file_size_max", 100}},
                        {{"root_glob", "bb*"}, {"embedded_file_size_max", 1}},
                        {{"root_glob", "folder2/*c"}, {"embedded_file_size_max", nullptr}}});
  ASSERT_TRUE(succeeded(snap)) << snap;
  EXPECT_EQ(paths_of(snap), (std::vector<std::string>{"bbb", "folder1/aaa", "folder2/ccc"}));
  EXPECT_EQ(file_of(snap, "folder1/aaa")["content_b64"], "MTIzNDU=");
  EXPECT_EQ(file_of(snap, "folder2/ccc")["content_b64"], "MTIzNDU=");
  EXPECT_TRUE(file_of(snap, "bbb").contains("hexdigest"));
  EXPECT_FALSE(file_of(snap, "bbb").contains("content_b64"));
  EXPECT_EQ(snap["hashes"].size(), 1u);
}

// Spec §12 case 60.
TEST(CompatNodeHttp, Case60_ExcludedNamesAreNeverSnapshotted) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  for (const char* p : {"skip.me", "a/skip.me", "keep.txt", "a/keep.txt"}) write_file(cluster.root(0) / p, "x", kMtime);
  lock(cluster, 0);
  auto snap = snapshot(cluster, 0, {{{"root_glob", "**"}, {"excluded_names", {"skip.me"}}}});
  EXPECT_EQ(paths_of(snap), (std::vector<std::string>{"a/keep.txt", "keep.txt"}));
}

// Spec §12 case 58: content, size and the link copy follow the source; deletions too.
TEST(CompatNodeHttp, Case58_ResnapshotFollowsChangesAndDeletions) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "f.bin", std::string(1200, 'a'), kMtime);
  write_file(cluster.root(0) / "gone.bin", std::string(1200, 'g'), kMtime);
  lock(cluster, 0);
  auto first = snapshot_all(cluster, 0);
  ASSERT_TRUE(fs::exists(cluster.link(0) / "gone.bin"));
  write_file(cluster.root(0) / "f.bin", std::string(1300, 'b'), kMtime + 1);
  fs::remove(cluster.root(0) / "gone.bin");
  auto second = snapshot_all(cluster, 0);
  EXPECT_EQ(paths_of(second), (std::vector<std::string>{"f.bin"}));
  EXPECT_EQ(file_of(second, "f.bin")["file_size"], 1300);
  EXPECT_EQ(file_of(second, "f.bin")["mtime_ns"], kMtime + 1);
  EXPECT_NE(file_of(second, "f.bin")["hexdigest"], file_of(first, "f.bin")["hexdigest"]);
  EXPECT_EQ(read_text(cluster.link(0) / "f.bin"), std::string(1300, 'b'));
  EXPECT_FALSE(fs::exists(cluster.link(0) / "gone.bin"));
}

// Spec §12 case 59: the 200-byte embedding limit, both ways.
TEST(CompatNodeHttp, Case59_TruncationSwitchesBetweenEmbeddedAndHashed) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  lock(cluster, 0);
  for (auto [size, hashes] : std::vector<std::pair<size_t, size_t>>{{1200, 1}, {199, 0}, {200, 0}, {201, 1}}) {
    write_file(cluster.root(0) / "f.bin", std::string(size, 'z'), kMtime + static_cast<int64_t>(size));
    auto snap = snapshot_all(cluster, 0);
    EXPECT_EQ(snap["hashes"].size(), hashes) << size << ": " << snap;
    EXPECT_EQ(file_of(snap, "f.bin").contains("content_b64"), hashes == 0) << size;
  }
}

// Spec §12 case 61.
TEST(CompatNodeHttp, Case61_GroupsDisagreeingOnEmbeddingFailTheSnapshot) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "x", "12345", kMtime);
  lock(cluster, 0);
  auto snap = snapshot(cluster, 0, {{{"root_glob", "**"}, {"embedded_file_size_max", 100}},
                                    {{"root_glob", "*"}, {"embedded_file_size_max", 200}}});
  EXPECT_TRUE(snap["progress"]["final"].get<bool>());
  EXPECT_GT(snap["progress"]["failed"].get<int>(), 0) << snap;
}

// Spec §12 case 62.
TEST(CompatNodeHttp, Case62_ReleaseUnlinksLinkCopiesButKeepsFilesInTheSnapshot) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "big.bin", std::string(1000, 'r'), kMtime);
  write_file(cluster.root(0) / "other.bin", std::string(1000, 'o'), kMtime);
  lock(cluster, 0);
  auto snap = snapshot_all(cluster, 0);
  ASSERT_TRUE(fs::exists(cluster.link(0) / "big.bin"));
  auto released = run_node_op(node(cluster, 0), "release", {{"hexdigests", {file_of(snap, "big.bin")["hexdigest"]}}});
  EXPECT_TRUE(succeeded(released)) << released;
  EXPECT_FALSE(fs::exists(cluster.link(0) / "big.bin"));
  EXPECT_TRUE(fs::exists(cluster.link(0) / "other.bin"));
  EXPECT_TRUE(fs::exists(cluster.root(0) / "big.bin"));
  EXPECT_EQ(paths_of(snapshot_all(cluster, 0)), (std::vector<std::string>{"big.bin", "other.bin"}));
}

// Spec §12 case 64.
TEST(CompatNodeHttp, Case64_ClearNeedsLockAndBodyThenDeletesMatchingFiles) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "a/b.bin", std::string(300, 'b'), kMtime);
  write_file(cluster.root(0) / "c.txt", "c", kMtime);
  write_file(cluster.root(0) / ".dot", "kept", kMtime);
  auto unlocked = send("POST", node(cluster, 0) + "/clear", R"({"root_globs":["**"]})");
  EXPECT_EQ(unlocked.status, 409);
  EXPECT_EQ(unlocked.body, R"({"detail":"Not locked"})");
  lock(cluster, 0);
  EXPECT_EQ(send("POST", node(cluster, 0) + "/clear").status, 422);
  CallbackReceiver receiver;
  auto r = send("POST", node(cluster, 0) + "/clear",
                nlohmann::json{{"root_globs", {"**"}}, {"result_url", receiver.url()}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = receiver.wait_first();
  ASSERT_FALSE(body.empty()) << "no PUT to result_url";
  auto result = parse_json(body);
  EXPECT_TRUE(succeeded(result)) << body;
  EXPECT_EQ(result["progress"]["total"], 2) << body;
  auto left = cluster.read_roots();
  ASSERT_EQ(left.size(), 1u) << diff_files({}, left);
  EXPECT_EQ(left.count("node0/.dot"), 1u);
}

// Spec §12 case 66: content rewritten in place after the snapshot (same size and mtime) is
// caught by upload validation; no blob is left under the stale hexdigest.
TEST(CompatNodeHttp, Case66_UploadRefusesContentChangedAfterSnapshot) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  write_file(cluster.root(0) / "f.bin", std::string(1000, '1'), kMtime);
  lock(cluster, 0);
  auto snap = snapshot_all(cluster, 0);
  auto hex = snap["hashes"][0]["hexdigest"].get<std::string>();
  write_file(cluster.root(0) / "f.bin", std::string(1000, '2'), kMtime);  // same inode, size, mtime
  auto up = run_node_op(node(cluster, 0), "upload",
                        {{"hashes", snap["hashes"]}, {"storage", "local"}, {"validate_file_hashes", true}});
  EXPECT_TRUE(up["progress"]["final"].get<bool>());
  EXPECT_GT(up["progress"]["failed"].get<int>(), 0) << up;
  EXPECT_FALSE(fs::exists(cluster.storage_dir() / "data" / hex));
}

// Case 66 for files the snapshot vouches for (settled, >= 64 KiB; uploads trust their identity
// instead of hashing them again): a rewrite in place with the same size and mtime still fails
// the upload (ctime moved), whole and streamed, and the untouched one is stored.
TEST(CompatNodeHttp, Case66_UploadRefusesBigVouchedFilesChangedAfterSnapshot) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  const std::string whole(100 << 10, 'w'), streamed(3 << 20, 's'), kept(200 << 10, 'k');
  write_file(cluster.root(0) / "whole.bin", whole, kMtime);
  write_file(cluster.root(0) / "streamed.bin", streamed, kMtime);
  write_file(cluster.root(0) / "kept.bin", kept, kMtime);
  lock(cluster, 0);
  auto snap = snapshot_all(cluster, 0);
  const std::string whole_hex = file_of(snap, "whole.bin")["hexdigest"];
  const std::string streamed_hex = file_of(snap, "streamed.bin")["hexdigest"];
  const std::string kept_hex = file_of(snap, "kept.bin")["hexdigest"];
  std::string changed_whole = whole, changed_streamed = streamed;
  changed_whole[5000] = 'X';
  changed_streamed[3 << 19] = 'X';
  write_file(cluster.root(0) / "whole.bin", changed_whole, kMtime);  // same inode, size, mtime
  write_file(cluster.root(0) / "streamed.bin", changed_streamed, kMtime);
  auto up = run_node_op(node(cluster, 0), "upload",
                        {{"hashes", snap["hashes"]}, {"storage", "local"}, {"validate_file_hashes", true}});
  EXPECT_TRUE(up["progress"]["final"].get<bool>());
  EXPECT_EQ(up["progress"]["failed"].get<int>(), 2) << up;
  EXPECT_FALSE(fs::exists(cluster.storage_dir() / "data" / whole_hex));
  EXPECT_FALSE(fs::exists(cluster.storage_dir() / "data" / streamed_hex));
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / kept_hex));
}

// An upload finds each blob's holders in the snapshot: a holder rewritten since the snapshot is
// skipped for the next one, a digest asked twice is stored once, and a digest no snapshot file
// holds fails the upload naming it (and stores nothing under it).
TEST(CompatNodeHttp, UploadTakesTheNextHolderAndRefusesDigestsTheSnapshotLacks) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  const std::string shared(3000, 's'), other(4000, 'o'), linked(5000, 'l');
  write_file(cluster.root(0) / "a.bin", shared, kMtime);
  write_file(cluster.root(0) / "b.bin", shared, kMtime);
  write_file(cluster.root(0) / "c.bin", other, kMtime);
  write_file(cluster.root(0) / "d.bin", linked, kMtime);
  write_file(cluster.root(0) / "e.bin", linked, kMtime);
  lock(cluster, 0);
  auto snap = snapshot_all(cluster, 0);
  ASSERT_EQ(snap["hashes"].size(), 5u) << snap;
  const std::string shared_hex = file_of(snap, "a.bin")["hexdigest"];
  const std::string other_hex = file_of(snap, "c.bin")["hexdigest"];
  const std::string linked_hex = file_of(snap, "d.bin")["hexdigest"];
  write_file(cluster.root(0) / "a.bin", std::string(3000, 'X'), kMtime);  // first holder changed
  fs::remove(cluster.link(0) / "d.bin");  // first holder's link copy gone
  auto up = run_node_op(node(cluster, 0), "upload",
                        {{"hashes", snap["hashes"]}, {"storage", "local"}, {"validate_file_hashes", true}});
  EXPECT_TRUE(succeeded(up)) << up;
  EXPECT_EQ(up["progress"]["total"], 3) << "three distinct blobs: " << up;
  EXPECT_EQ(up["total_size"], shared.size() + other.size() + linked.size()) << up;
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / shared_hex));
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / other_hex));
  EXPECT_TRUE(fs::exists(cluster.storage_dir() / "data" / linked_hex));

  const std::string unknown(64, 'e');
  auto refused = run_node_op(node(cluster, 0), "upload",
                             {{"hashes", {{{"hexdigest", unknown}, {"size", 10}}, snap["hashes"][0]}},
                              {"storage", "local"}});
  EXPECT_TRUE(refused["progress"]["final"].get<bool>()) << refused;
  EXPECT_FALSE(succeeded(refused)) << refused;
  EXPECT_NE(refused.dump().find(unknown), std::string::npos) << "names the digest: " << refused;
  EXPECT_FALSE(fs::exists(cluster.storage_dir() / "data" / unknown));
}

}  // namespace
}  // namespace astacus::compat

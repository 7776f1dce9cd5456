// The m3db plugin end to end: real 3-node astacus clusters with M3DB-like data, a real etcd,
// driven through the CLI as an operator would.
#include <httplib.h>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "base/encoding.h"
#include "codec/blake2s.h"
#include "http/client.h"
#include "m3_fixture.h"
#include "manifest/json.h"
#include "plugins/etcd/client.h"
#include "plugins/m3db/config.h"
#include "storage/object_store.h"
#include "support/cluster.h"
#include "support/services.h"

namespace astacus::testing {
namespace {

namespace fs = std::filesystem;
using google::protobuf::util::MessageDifferencer;
using plugins::etcd::Client;
using plugins::etcd::KeyValue;

constexpr const char* kEnv = "test_env";

/// How M3 knows one node, and the node's az.
struct NodeIdentity {
  std::string id, endpoint, hostname, az;
};

std::vector<NodeIdentity> identities(const std::string& tag, const std::vector<std::string>& azs) {
  std::vector<NodeIdentity> out;
  for (size_t i = 0; i < azs.size(); ++i) {
    auto name = tag + "-" + std::to_string(i);
    out.push_back({name, "10." + std::to_string(tag.size()) + ".0." + std::to_string(i) + ":9000",
                   name + ".example", azs[i]});
  }
  return out;
}

/// Switches every node of `cluster` to the m3db plugin. `placement_nodes` defaults to `nodes`.
void configure_m3db(TestCluster& cluster, const std::string& etcd_url,
                    const std::vector<NodeIdentity>& nodes,
                    std::optional<std::vector<NodeIdentity>> placement_nodes = std::nullopt) {
  nlohmann::json pnodes = nlohmann::json::array();
  for (const auto& n : placement_nodes.value_or(nodes)) {
    pnodes.push_back({{"node_id", n.id}, {"endpoint", n.endpoint}, {"hostname", n.hostname}});
  }
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto config = cluster.config(i);
    config["coordinator"]["plugin"] = "m3db";
    config["coordinator"]["plugin_config"] = {
        {"etcd_url", etcd_url}, {"environment", kEnv}, {"placement_nodes", pnodes}};
    for (size_t j = 0; j < nodes.size(); ++j) config["coordinator"]["nodes"][j]["az"] = nodes[j].az;
    config["node"]["az"] = nodes[i].az;
    cluster.write_config(i, config);
  }
}

m3::pb::Placement placement_of(const std::vector<NodeIdentity>& nodes) {
  std::vector<m3::InstanceSpec> specs;
  for (size_t i = 0; i < nodes.size(); ++i) {
    specs.push_back({nodes[i].id, nodes[i].az, nodes[i].endpoint, nodes[i].hostname,
                     9000 + static_cast<uint32_t>(i)});
  }
  return m3::make_placement(specs);
}

void put_all(const Client& client, const std::vector<KeyValue>& keys) {
  for (const auto& kv : keys) ASSERT_TRUE(client.put(kv.key, kv.value)) << kv.key;
}

std::vector<KeyValue> all_keys(const Client& client) {
  auto got = client.get_prefix("");
  EXPECT_TRUE(got) << got.error().to_string();
  return got.value_or(std::vector<KeyValue>{});
}

std::vector<KeyValue> m3_prefix_keys(const Client& client) {
  std::vector<KeyValue> out;
  for (const auto& prefix : plugins::m3db::etcd_prefixes(kEnv)) {
    auto got = client.get_prefix(prefix);
    EXPECT_TRUE(got) << got.error().to_string();
    if (got) out.insert(out.end(), got->begin(), got->end());
  }
  return out;
}

std::string value_of(const Client& client, const std::string& key) {
  auto got = client.range(key, key + std::string(1, '\0'));
  EXPECT_TRUE(got && got->size() == 1) << key;
  return got && got->size() == 1 ? got->front().value : std::string();
}

/// The *.db files of a tree: what the m3db plugin backs up.
TreeState db_files(const TreeState& tree) {
  TreeState out;
  for (const auto& [path, state] : tree) {
    if (path.ends_with(".db")) out[path] = state;
  }
  return out;
}

std::vector<TreeState> trees(const TestCluster& cluster) {
  std::vector<TreeState> out;
  for (size_t i = 0; i < cluster.size(); ++i) out.push_back(read_tree(cluster.root(i)));
  return out;
}

void fill_nodes(TestCluster& cluster) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    m3::write_node_data(cluster.root(i), static_cast<int>(i));
  }
}

nlohmann::json read_manifest(const TestCluster& cluster, const std::string& name) {
  config::ObjectStorageConfig config;
  config.default_storage = "local";
  config.storages["local"] = config::LocalStorageConfig{cluster.storage_dir().string(), ""};
  config.compression.algorithm = "zstd";
  auto store = storage::ObjectStore::open(config, "local");
  EXPECT_TRUE(store) << store.error().message;
  auto text = (*store)->download_json(name);
  EXPECT_TRUE(text) << text.error().message;
  return nlohmann::json::parse(text.value_or("{}"));
}

void expect_ok(const CommandResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 0) << what << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
}

/// The status of the coordinator's current `op` ("backup"/"restore") on node 0:
/// {"state", "progress", "error"}. The CLI prints only that an op failed, not why.
nlohmann::json current_op_status(const TestCluster& cluster, const std::string& op) {
  for (int id = 1; id <= 50; ++id) {
    auto r = http::request("GET", cluster.url(0) + "/" + op + "/" + std::to_string(id));
    if (r && r->status == 200) return nlohmann::json::parse(r->body);
  }
  ADD_FAILURE() << "no current " << op << " op on " << cluster.url(0);
  return nlohmann::json::object();
}

/// `astacus -w 60 <op>` against node 0 fails, and the op's error names every needle.
std::string expect_op_fails_naming(TestCluster& cluster, const std::string& op,
                                   const std::vector<std::string>& needles) {
  auto r = cluster.cli({"-w", "60", op});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto status = current_op_status(cluster, op);
  EXPECT_EQ(status.value("state", ""), "fail") << status.dump();
  std::string error = status.value("error", "");
  ::testing::Test::RecordProperty("op_error", error);
  for (const auto& n : needles) {
    EXPECT_NE(error.find(n), std::string::npos) << "'" << n << "' in: " << error;
  }
  return error;
}

/// A tiny HTTP server standing in for etcd where a real one cannot misbehave on demand
/// (answering 500). Stopped and joined by the destructor.
class StandInEtcd {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit StandInEtcd(Handler handler) {
    server_.Post(R"(/.*)", [this, handler](const httplib::Request& req, httplib::Response& res) {
      ++requests_;
      handler(req, res);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~StandInEtcd() {
    server_.stop();
    thread_.join();
  }
  std::string gateway_url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v3beta";
  }
  int requests() const { return requests_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
};

void answer_500(const httplib::Request&, httplib::Response& res) {
  res.status = 500;
  res.set_content(R"({"error":"etcdserver: request timed out","code":14,)"
                  R"("message":"etcdserver: request timed out"})",
                  "application/json");
}

const std::vector<std::string> kAzs = {"rack-a", "rack-b", "rack-c"};

TEST(M3dbCluster, BackupWipeRestoreGivesIdenticalFilesAndEtcdKeys) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto nodes = identities("m3db", kAzs);
  put_all(client, m3::m3_keys(kEnv, m3::encode(placement_of(nodes))));
  put_all(client, m3::unrelated_keys(kEnv));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();

  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto files_before = trees(cluster);
  auto etcd_before = m3_prefix_keys(client);
  ASSERT_EQ(etcd_before.size(), 4u);

  auto manifests = cluster.stored_objects("json");
  ASSERT_EQ(manifests.size(), 1u);
  auto manifest = read_manifest(cluster, manifests[0]);
  EXPECT_EQ(manifest["plugin"], "m3db");
  EXPECT_EQ(manifest["plugin_data"]["placement_nodes"][1],
            nlohmann::json({{"node_id", "m3db-1"},
                            {"endpoint", nodes[1].endpoint},
                            {"hostname", nodes[1].hostname}}));
  ASSERT_EQ(manifest["plugin_data"]["etcd"]["prefixes"].size(), 2u);
  EXPECT_EQ(manifest["plugin_data"]["etcd"]["prefixes"][1]["prefix_b64"],
            base64_encode(m3::placement_key(kEnv)));
  EXPECT_EQ(manifest["snapshot_results"][0]["state"]["root_globs"], nlohmann::json({"**/*.db"}));

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  ASSERT_TRUE(client.delete_prefix(""));
  ASSERT_TRUE(client.put(m3::namespaces_key(kEnv) + "/stray", "removed by the restore"));
  ASSERT_TRUE(client.put("after/wipe", "kept: outside the prefixes"));
  write_file(cluster.root(1) / "data/default/1/fileset-1-0-data.db", "stray", 1);
  write_file(cluster.root(1) / "notes.txt", "not *.db: left alone", 1);

  expect_ok(cluster.cli({"-w", "60", "restore"}), "restore");
  auto files_after = trees(cluster);
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(db_files(files_after[i]), db_files(files_before[i])) << "node " << i;
    EXPECT_GT(db_files(files_after[i]).size(), 40u);
  }
  EXPECT_TRUE(files_after[1].count("notes.txt"));
  EXPECT_FALSE(files_after[0].count("config/m3dbnode.yml"));  // never backed up
  EXPECT_EQ(m3_prefix_keys(client), etcd_before);  // byte-identical, the placement included
  EXPECT_EQ(value_of(client, "after/wipe"), "kept: outside the prefixes");
}

TEST(M3dbCluster, RestoreIntoANewClusterRewritesEveryPlacementInstance) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto old_nodes = identities("m3db", kAzs);
  auto original = placement_of(old_nodes);
  put_all(client, m3::m3_keys(kEnv, m3::encode(original)));
  TestCluster old_cluster;
  fill_nodes(old_cluster);
  configure_m3db(old_cluster, etcd.gateway_url(), old_nodes);
  old_cluster.start();
  expect_ok(old_cluster.cli({"-w", "60", "backup"}), "backup");
  auto old_files = trees(old_cluster);
  auto old_keys = m3_prefix_keys(client);

  // Other machines, other node ids, endpoints, hostnames and azs, a fresh etcd; same storage.
  EtcdServer new_etcd;
  Client new_client(new_etcd.gateway_url());
  auto new_nodes = identities("replacement", {"zone-x", "zone-y", "zone-z"});
  TestCluster new_cluster;
  configure_m3db(new_cluster, new_etcd.gateway_url(), new_nodes);
  for (size_t i = 0; i < new_cluster.size(); ++i) {
    auto config = new_cluster.config(i);
    config["object_storage"]["storages"]["local"]["directory"] = old_cluster.storage_dir().string();
    new_cluster.write_config(i, config);
  }
  new_cluster.start();
  expect_ok(new_cluster.cli({"-w", "60", "restore"}), "restore into the new cluster");

  auto new_files = trees(new_cluster);
  for (size_t i = 0; i < new_cluster.size(); ++i) {
    EXPECT_EQ(db_files(new_files[i]), db_files(old_files[i])) << "node " << i;
  }
  auto new_keys = m3_prefix_keys(new_client);
  ASSERT_EQ(new_keys.size(), old_keys.size());
  for (size_t k = 0; k < new_keys.size(); ++k) {
    EXPECT_EQ(new_keys[k].key, old_keys[k].key);
    if (new_keys[k].key != m3::placement_key(kEnv)) {
      EXPECT_EQ(new_keys[k].value, old_keys[k].value) << new_keys[k].key;
    }
  }
  auto restored = m3::decode(value_of(new_client, m3::placement_key(kEnv)));
  ASSERT_EQ(restored.instances_size(), 3);
  for (size_t i = 0; i < new_nodes.size(); ++i) {
    ASSERT_TRUE(restored.instances().count(new_nodes[i].id)) << new_nodes[i].id;
    EXPECT_FALSE(restored.instances().count(old_nodes[i].id)) << old_nodes[i].id;
    const auto& got = restored.instances().at(new_nodes[i].id);
    EXPECT_EQ(got.id(), new_nodes[i].id);
    EXPECT_EQ(got.endpoint(), new_nodes[i].endpoint);
    EXPECT_EQ(got.hostname(), new_nodes[i].hostname);
    EXPECT_EQ(got.isolation_group(), new_nodes[i].az);
    // Nothing else moved: port, shards, weight, metadata, subcluster id are the backup's.
    auto expected = original.instances().at(old_nodes[i].id);
    expected.set_id(got.id());
    expected.set_endpoint(got.endpoint());
    expected.set_hostname(got.hostname());
    expected.set_isolation_group(got.isolation_group());
    EXPECT_TRUE(MessageDifferencer::Equals(got, expected)) << got.DebugString();
  }
  EXPECT_EQ(restored.cutover_time(), original.cutover_time());
  EXPECT_EQ(restored.num_shards(), original.num_shards());
}

TEST(M3dbCluster, ASecondBackupAfterOnlyCommitLogsChangedUploadsOnlyThose) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto nodes = identities("m3db", kAzs);
  put_all(client, m3::m3_keys(kEnv, m3::encode(placement_of(nodes))));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "first backup");
  auto blobs_before = cluster.stored_objects("data");

  std::set<std::string> expected_new;
  for (size_t i = 0; i < cluster.size(); ++i) {
    for (const auto& rel : m3::grow_commit_logs(cluster.root(i), static_cast<int>(i), 1)) {
      expected_new.insert(codec::blake2s_hex(read_tree(cluster.root(i)).at(rel).content));
    }
  }
  expect_ok(cluster.cli({"-w", "60", "backup"}), "second backup");
  EXPECT_EQ(cluster.stored_objects("json").size(), 2u);
  std::set<std::string> added;
  auto blobs_after = cluster.stored_objects("data");
  std::set_difference(blobs_after.begin(), blobs_after.end(), blobs_before.begin(),
                      blobs_before.end(), std::inserter(added, added.end()));
  EXPECT_EQ(added, expected_new);
  EXPECT_EQ(added.size(), 6u);
}

TEST(M3dbCluster, BackupWithEtcdDownFailsNamingEtcdAndThePrefixWithoutManifest) {
  EtcdServer etcd;
  auto nodes = identities("m3db", kAzs);
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();
  etcd.kill();
  expect_op_fails_naming(cluster, "backup",
                         {"RetrieveEtcdStep", "etcd at " + etcd.gateway_url(),
                          "kv/range of prefix '_kv/test_env/m3db.node.namespaces'",
                          "all 2 attempts failed"});
  EXPECT_TRUE(cluster.stored_objects("json").empty());
}

TEST(M3dbCluster, StandInEtcdAnswering500FailsEveryBackupAttemptWithoutManifest) {
  StandInEtcd stand_in(answer_500);
  TestCluster cluster;  // backup_attempts 2
  fill_nodes(cluster);
  configure_m3db(cluster, stand_in.gateway_url(), identities("m3db", kAzs));
  cluster.start();
  expect_op_fails_naming(cluster, "backup",
                         {"etcd at " + stand_in.gateway_url(),
                          "prefix '_kv/test_env/m3db.node.namespaces'", "answered HTTP 500",
                          "etcdserver: request timed out", "all 2 attempts failed"});
  EXPECT_EQ(stand_in.requests(), 2);
  EXPECT_TRUE(cluster.stored_objects("json").empty());
  EXPECT_TRUE(cluster.stored_objects("data").empty());
}

TEST(M3dbCluster, StandInEtcdAnswering500ToPutFailsTheRestoreBeforeAnyFile) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto nodes = identities("m3db", kAzs);
  put_all(client, m3::m3_keys(kEnv, m3::encode(placement_of(nodes))));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");

  std::mutex mutex;
  std::vector<std::string> paths;
  StandInEtcd stand_in([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard guard(mutex);
    paths.push_back(req.path);
    if (req.path.ends_with("/kv/deleterange")) {
      res.set_content(R"({"header":{},"deleted":"2"})", "application/json");
    } else {
      answer_500(req, res);
    }
  });
  configure_m3db(cluster, stand_in.gateway_url(), nodes);
  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  cluster.start();
  expect_op_fails_naming(cluster, "restore",
                         {"RestoreEtcdStep", "etcd at " + stand_in.gateway_url(),
                          "kv/put of key '_kv/test_env/m3db.node.namespaces'",
                          "answered HTTP 500"});
  std::lock_guard guard(mutex);
  EXPECT_EQ(paths, (std::vector<std::string>{"/v3beta/kv/deleterange", "/v3beta/kv/put"}));
  for (size_t i = 0; i < cluster.size(); ++i) EXPECT_TRUE(read_tree(cluster.root(i)).empty()) << i;
}

TEST(M3dbCluster, RestoreOfAPlacementThatDoesNotDecodeFailsNamingItAndLeavesEtcdAlone) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  put_all(client, m3::m3_keys(kEnv, "this is not a placement protobuf"));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), identities("m3db", kAzs));
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  ASSERT_TRUE(client.delete_prefix(""));
  ASSERT_TRUE(client.put("marker", "untouched"));
  expect_op_fails_naming(cluster, "restore",
                         {"RewriteEtcdStep",
                          "M3 placement at etcd key '_sd.placement/test_env/m3db'",
                          "not an M3 placement protobuf"});
  EXPECT_EQ(all_keys(client), (std::vector<KeyValue>{{"marker", "untouched"}}));
}

TEST(M3dbCluster, RestoreWhenTheRecordedNodeIdIsMissingFromThePlacementNamesIt) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto nodes = identities("m3db", kAzs);
  // The placement knows only two of the three configured nodes.
  put_all(client, m3::m3_keys(kEnv, m3::encode(placement_of({nodes[0], nodes[1]}))));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto before = all_keys(client);
  expect_op_fails_naming(cluster, "restore", {"RewriteEtcdStep", "'_sd.placement/test_env/m3db'",
                                              "no instance 'm3db-2'"});
  EXPECT_EQ(all_keys(client), before);
}

TEST(M3dbCluster, EmptyPrefixesAreAValidBackupAndRestoreEmptiesThem) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), identities("m3db", kAzs));
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup of an M3 without etcd state");
  auto manifest = read_manifest(cluster, cluster.stored_objects("json").at(0));
  EXPECT_EQ(manifest["plugin_data"]["etcd"]["prefixes"][0]["keys"], nlohmann::json::array());
  put_all(client, m3::m3_keys(kEnv, "added after the backup"));
  expect_ok(cluster.cli({"-w", "60", "restore"}), "restore");
  EXPECT_TRUE(m3_prefix_keys(client).empty());
}

TEST(M3dbCluster, PartialRestoreLeavesEtcdAlone) {
  EtcdServer etcd;
  Client client(etcd.gateway_url());
  auto nodes = identities("m3db", kAzs);
  put_all(client, m3::m3_keys(kEnv, m3::encode(placement_of(nodes))));
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes);
  cluster.start();
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto files_before = trees(cluster);
  ASSERT_TRUE(client.delete_prefix(""));
  ASSERT_TRUE(client.put("marker", "untouched"));
  wipe(cluster.root(0));
  auto start = http::request("POST", cluster.url(1) + "/restore",
                             {std::chrono::milliseconds(10000),
                              R"({"partial_restore_nodes":[{"node_index":0,"backup_index":0}]})"});
  ASSERT_TRUE(start && start->status == 200) << (start ? start->body : start.error().message);
  auto status_url = nlohmann::json::parse(start->body)["status_url"].get<std::string>();
  std::string state;
  for (int i = 0; i < 600 && state != "fail" && state != "done"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto s = http::request("GET", status_url);
    ASSERT_TRUE(s);
    state = nlohmann::json::parse(s->body)["state"];
  }
  EXPECT_EQ(state, "done");
  EXPECT_EQ(db_files(read_tree(cluster.root(0))), db_files(files_before[0]));
  EXPECT_EQ(all_keys(client), (std::vector<KeyValue>{{"marker", "untouched"}}));
}

TEST(M3dbCluster, PlacementNodeCountMismatchFailsNamingBothCounts) {
  EtcdServer etcd;
  auto nodes = identities("m3db", kAzs);
  TestCluster cluster;
  fill_nodes(cluster);
  configure_m3db(cluster, etcd.gateway_url(), nodes, std::vector<NodeIdentity>{nodes[0], nodes[1]});
  cluster.start();
  for (const std::string op : {"backup", "restore"}) {
    auto error = expect_op_fails_naming(
        cluster, op,
        {"InitStep",
         "coordinator.plugin_config.placement_nodes: 2 placement nodes for 3 coordinator nodes"});
    EXPECT_EQ(error.find("attempts failed"), std::string::npos) << "permanent: no retry: " << error;
  }
  EXPECT_TRUE(cluster.stored_objects("json").empty());
}

TEST(M3dbCluster, BadPluginConfigIsRefusedNamingTheKey) {
  TestCluster cluster({.nodes = 1});
  auto config = cluster.config(0);
  config["coordinator"]["plugin"] = "m3db";
  nlohmann::json bad_node = {{"node_id", ""}, {"endpoint", "e"}, {"hostname", "h"}};
  config["coordinator"]["plugin_config"] = {{"etcd_url", "http://127.0.0.1:1/v3beta"},
                                            {"environment", kEnv},
                                            {"placement_nodes", nlohmann::json::array({bad_node})}};
  cluster.write_config(0, config);
  cluster.start();
  auto r = cluster.cli({"-w", "30", "backup"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("coordinator.plugin_config.placement_nodes[0].node_id: must not be empty"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace astacus::testing

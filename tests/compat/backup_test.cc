// Backups taken by our servers of the data Python backed up: same blobs (BLAKE2s names), same
// manifest content, same upload distribution and progress as Python's (files-zstd-3node).
#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <set>

#include "fixture.h"
#include "storage/object_store.h"

namespace astacus::compat {
namespace {

constexpr char k3Node[] = "files-zstd-3node";

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto n = e.path().filename().string();
    if (n.size() < 9 || n.substr(n.size() - 9) != ".metadata") out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json read_manifest(const FixtureCluster& cluster, const std::string& name) {
  config::ObjectStorageConfig config;
  config.default_storage = "local";
  config.storages["local"] = config::LocalStorageConfig{cluster.storage_dir().string(), ""};
  config.compression.algorithm = "zstd";
  auto store = storage::ObjectStore::open(config, "local");
  if (!store) throw std::runtime_error(store.error().message);
  auto text = (*store)->download_json(name);
  if (!text) throw std::runtime_error(text.error().message);
  return parse_json(*text);
}

nlohmann::json list_entry(const FixtureCluster& cluster, const std::string& name) {
  auto list = parse_json(send("GET", cluster.url() + "/list").body);
  for (const auto& b : list["storages"][0]["backups"]) {
    if ("backup-" + b["name"].get<std::string>() == name) return b;
  }
  throw std::runtime_error(name + " not in /list");
}

void restore(const FixtureCluster& cluster, const std::string& backup) {
  auto r = cluster.cli({"-w", "120", "restore", "--backup", backup});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << cluster.logs();
}

// Spec §12 cases 21, 29, 32 (http/009, 013): backup 1's data, restored by us, backed up by us
// into an empty storage, gives Python's blobs, progress, upload split and manifest content.
TEST(CompatBackup, Case21_29_32_BackupOfBackup1DataReproducesPythonsBackup) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  const auto& info = cluster.info();
  const auto& backup1 = info.backup(0);
  restore(cluster, backup1.name);
  for (const char* sub : {"data", "json"}) {
    fs::remove_all(cluster.storage_dir() / sub);
    fs::create_directories(cluster.storage_dir() / sub);
  }

  auto start_ex = load_exchange(k3Node, "009-POST-backup-backup1-start.txt");
  auto r = send("POST", cluster.url() + "/backup");
  ASSERT_EQ(r.status, start_ex.status) << r.body;
  auto start = parse_json(r.body);
  auto python_start = parse_json(with_ports(start_ex.body, cluster));
  python_start["op_id"] = start["op_id"];
  python_start["status_url"] = cluster.url() + "/backup/" + std::to_string(start["op_id"].get<int>());
  EXPECT_EQ(start, python_start);
  wait_op(start["status_url"]);
  // Case 21: progress = the merged upload progress of the nodes (10 distinct blobs).
  EXPECT_EQ(python_view_of_status(start["status_url"]), load_exchange(k3Node, "013-GET-backup_1-backup1-done.txt").body)
      << cluster.logs();

  auto python = info.plaintext_manifest(backup1);
  std::set<std::string> python_blobs;
  for (const auto& n : python["snapshot_results"]) {
    for (const auto& h : n["hashes"]) python_blobs.insert(h["hexdigest"]);
  }
  // Case 29: shared content (node0/node1 common.bin, node1 copy-of-common.bin, node0/node2
  // size201) is stored once; every blob name is Python's.
  EXPECT_EQ(names_in(cluster.storage_dir() / "data"), std::vector<std::string>(python_blobs.begin(), python_blobs.end()));
  auto manifests = names_in(cluster.storage_dir() / "json");
  ASSERT_EQ(manifests.size(), 1u);
  auto ours = read_manifest(cluster, manifests[0]);

  // Case 32: files ≤ 200 bytes are embedded (content_b64, no hexdigest) exactly as in Python's
  // manifest; the per-node snapshot results are Python's apart from times and hostname.
  ASSERT_EQ(ours["snapshot_results"].size(), python["snapshot_results"].size());
  for (size_t i = 0; i < python["snapshot_results"].size(); ++i) {
    const auto& o = ours["snapshot_results"][i];
    const auto& p = python["snapshot_results"][i];
    for (const char* key : {"state", "files", "total_size", "hashes", "az", "progress"}) {
      EXPECT_EQ(o[key], p[key]) << "node " << i << " " << key;
    }
  }
  // Same assignment of blobs to uploading nodes (spec §6.5) as Python's.
  ASSERT_EQ(ours["upload_results"].size(), python["upload_results"].size()) << ours["upload_results"];
  for (size_t i = 0; i < python["upload_results"].size(); ++i) {
    EXPECT_EQ(ours["upload_results"][i]["total_size"], python["upload_results"][i]["total_size"]) << i;
    EXPECT_EQ(ours["upload_results"][i]["progress"], python["upload_results"][i]["progress"]) << i;
  }
  for (const char* key : {"attempt", "plugin", "plugin_data", "tiered_storage_results"}) {
    EXPECT_EQ(ours[key], python[key]) << key;
  }

  // /list entry: Python's, except the name and times, and the stored size (zstd output of
  // another library build may differ by a few bytes).
  auto python_entry = load_exchange(k3Node, "018-GET-list-after-backup1.txt").json()["storages"][0]["backups"][0];
  auto entry = list_entry(cluster, manifests[0]);
  for (const char* key : {"name", "start", "end", "upload_stored_size"}) {
    python_entry.erase(key);
    entry.erase(key);
  }
  EXPECT_EQ(entry, python_entry);
}

// Spec §12 cases 5, 18, 22, 31 (cli/020): a CLI backup of backup 2's data, restored by us, into
// the Python storage: no new blob, a manifest named after its start second, locks released.
TEST(CompatBackup, Case5_18_22_31_CliBackupOfUnchangedDataUploadsNothing) {
  FixtureCluster cluster(k3Node);
  cluster.start();
  const auto& info = cluster.info();
  restore(cluster, info.backup(1).name);
  auto blobs = names_in(cluster.storage_dir() / "data");
  auto before = std::time(nullptr);

  auto r = cluster.cli({"-w", "10", "backup"});
  auto python = load_cli(k3Node, "020-backup-w");
  EXPECT_EQ(r.exit_code, python.exit_code) << r.err << cluster.logs();
  EXPECT_TRUE(std::regex_match(r.out, std::regex(R"(Starting backup\.\.\n\.\. which took [0-9.e+-]+ seconds\n)")))
      << r.out;

  auto manifests = names_in(cluster.storage_dir() / "json");
  ASSERT_EQ(manifests.size(), 3u);
  const auto& name = manifests[2];
  std::smatch m;
  ASSERT_TRUE(std::regex_match(name, m, std::regex(R"(backup-(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\+00:00)"))) << name;
  std::tm tm{};
  strptime(m[1].str().c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  auto started = timegm(&tm);
  EXPECT_GE(started, before - 1);
  EXPECT_LE(started, std::time(nullptr));

  EXPECT_EQ(names_in(cluster.storage_dir() / "data"), blobs) << "an unchanged backup uploaded blobs";
  auto entry = list_entry(cluster, name);
  auto python_entry = load_exchange(k3Node, "021-GET-list-after-backup2.txt").json()["storages"][0]["backups"][1];
  EXPECT_EQ(entry["upload_size"], 0) << entry;
  EXPECT_EQ(entry["upload_stored_size"], 0) << entry;
  for (const char* key : {"plugin", "attempt", "nodes", "files", "total_size", "cluster_files",
                          "cluster_data_size", "tiered_storage_size"}) {
    EXPECT_EQ(entry[key], python_entry[key]) << key;
  }
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(send("POST", cluster.url(i) + "/node/lock?locker=after&ttl=60").status, 200)
        << "node" << i << " still locked after the backup";
  }
}

}  // namespace
}  // namespace astacus::compat

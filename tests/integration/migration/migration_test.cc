// An operator migrates a 3-node cluster's backups local -> S3 (s3rver) -> Azure (Azurite) with
// `astacus copy`, moving the default site along, then restores every backup from every site
// that holds it and compares the trees byte for byte (mtimes included).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "config/parse.h"
#include "storage/backend_factory.h"
#include "support/services.h"
#include "system/helpers.h"

namespace astacus::testing {
namespace {

constexpr const char* kBucket = "astacus-migration";
constexpr const char* kContainer = "astacus-migration";
constexpr int64_t kLater = 1800000000000000000;  // an mtime (ns) after the sample data's

using Names = std::set<std::string>;
using ClusterTree = std::vector<TreeState>;  // one TreeState per node

void edit_object_storage(TestCluster& cluster, const std::function<void(nlohmann::json&)>& edit) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto config = cluster.config(i);
    edit(config["object_storage"]);
    cluster.write_config(i, config);
  }
}

void add_site(TestCluster& cluster, const std::string& name, const nlohmann::json& site) {
  edit_object_storage(cluster, [&](nlohmann::json& storage) { storage["storages"][name] = site; });
}

void make_default_site(TestCluster& cluster, const std::string& name) {
  edit_object_storage(cluster, [&](nlohmann::json& storage) { storage["default_storage"] = name; });
}

void restart(TestCluster& cluster) {
  for (size_t i = 0; i < cluster.size(); ++i) cluster.stop_node(i);
  cluster.start();
}

/// Base names under `dir` ("json" or "data") of site `site`, read through the storage layer
/// with node 0's config.
Names site_objects(const TestCluster& cluster, const std::string& site, const std::string& dir) {
  auto config = config::load_config_file(cluster.config_path(0));
  if (!config) {
    ADD_FAILURE() << config.error().to_string();
    return {};
  }
  auto backend = storage::make_backend(site, config->object_storage->storages.at(site));
  if (!backend) {
    ADD_FAILURE() << site << ": " << backend.error().to_string();
    return {};
  }
  auto names = (*backend)->list(dir);
  if (!names) {
    ADD_FAILURE() << site << "/" << dir << ": " << names.error().to_string();
    return {};
  }
  return {names->begin(), names->end()};
}

void expect_same_objects(const TestCluster& cluster, const std::string& from, const std::string& to) {
  for (const char* dir : {"json", "data"}) {
    auto expected = site_objects(cluster, from, dir);
    EXPECT_FALSE(expected.empty()) << from << "/" << dir;
    EXPECT_EQ(site_objects(cluster, to, dir), expected) << dir << " of " << to << " vs " << from;
  }
}

/// The operator's migration step: add site `to`, copy every backup of `from` into it, check it
/// holds the same manifests and blobs, then make it the default (nodes restarted for each change).
void migrate(TestCluster& cluster, const std::string& from, const std::string& to, const nlohmann::json& site) {
  add_site(cluster, to, site);
  restart(cluster);
  expect_ok(cluster.cli({"-w", "60", "copy", "--from", from, "--to", to}), "copy " + from + " -> " + to);
  expect_same_objects(cluster, from, to);
  make_default_site(cluster, to);
  restart(cluster);
}

/// Runs `backup` and returns the name of the one manifest it added to `site`.
std::string backup_to(TestCluster& cluster, const std::string& site) {
  auto before = site_objects(cluster, site, "json");
  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup to " + site);
  std::vector<std::string> added;
  for (const auto& name : site_objects(cluster, site, "json")) {
    if (!before.contains(name)) added.push_back(name);
  }
  if (added.size() != 1) {
    ADD_FAILURE() << "backup to " << site << " added " << added.size() << " manifests";
    return "";
  }
  return added.front();
}

/// Every node's tree as a restore must bring it back (`**` does not match dot files).
ClusterTree snapshot(const TestCluster& cluster) {
  ClusterTree trees;
  for (size_t i = 0; i < cluster.size(); ++i) {
    trees.push_back(read_tree(cluster.root(i)));
    std::erase_if(trees.back(), [](const auto& entry) { return entry.first.starts_with('.'); });
  }
  return trees;
}

/// "" when equal, else one line per missing, extra or different (content or mtime) path.
std::string tree_differences(const TreeState& expected, const TreeState& actual) {
  std::string out;
  for (const auto& [path, state] : expected) {
    auto it = actual.find(path);
    if (it == actual.end()) out += "missing " + path + "\n";
    else if (it->second.content != state.content) out += "content differs " + path + "\n";
    else if (it->second.mtime_ns != state.mtime_ns) out += "mtime differs " + path + "\n";
  }
  for (const auto& [path, state] : actual) {
    if (!expected.contains(path)) out += "extra " + path + "\n";
  }
  return out;
}

void expect_restores(TestCluster& cluster, const std::string& site, const std::string& backup,
                     const ClusterTree& expected) {
  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore", "--storage", site, "--backup", backup}),
            "restore " + backup + " from " + site);
  auto actual = snapshot(cluster);
  for (size_t i = 0; i < cluster.size(); ++i) {
    EXPECT_EQ(tree_differences(expected[i], actual[i]), "") << backup << " from " << site << ", node " << i;
  }
}

/// `list --json` as site -> backup names (as stored, with the "backup-" prefix).
std::map<std::string, Names> listed_backups(TestCluster& cluster) {
  auto list = cluster.cli({"list", "--json"});
  expect_ok(list, "list --json");
  auto answer = nlohmann::json::parse(list.out);
  std::map<std::string, Names> out;
  for (const auto& site : answer["storages"]) {
    auto& names = out[site["storage_name"].get<std::string>()];
    for (const auto& b : site["backups"]) names.insert("backup-" + b["name"].get<std::string>());
  }
  if (out.empty()) ADD_FAILURE() << "no storage in the list answer:\n" << list.out;
  return out;
}

class Migration : public ::testing::Test {
 protected:
  Migration() {
    azurite_.create_container(kContainer);
    fill_sample_data(cluster_);
  }

  // Declared first, destroyed last: the cluster stops before the servers it stores in.
  S3rver s3_{std::vector<std::string>{kBucket}};
  Azurite azurite_;
  TestCluster cluster_;
};

TEST_F(Migration, LocalToS3ToAzureWithRestoresFromEverySite) {
  // 1. Only the default local site.
  cluster_.start();
  auto first_tree = snapshot(cluster_);
  auto first = backup_to(cluster_, "local");
  ASSERT_FALSE(first.empty());

  // 2. Add S3, copy local -> s3, make S3 the default, back up a changed tree there.
  migrate(cluster_, "local", "s3", s3_.storage_json(kBucket, "cluster"));
  write_file(cluster_.root(1) / "big/random-2m.bin", random_bytes(2 * 1024 * 1024, 70), kLater);
  write_file(cluster_.root(0) / "size200.bin", random_bytes(200, 71), kLater + 1);
  auto second_tree = snapshot(cluster_);
  auto second = backup_to(cluster_, "s3");
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(site_objects(cluster_, "local", "json"), Names{first}) << "the S3 backup went to local";

  // 3. Add Azure, copy s3 -> azure (both backups), make Azure the default, back up again.
  migrate(cluster_, "s3", "azure", azurite_.storage_json(kContainer));
  write_file(cluster_.root(2) / "data/t256k.txt", random_bytes(256 * 1024, 72), kLater + 2);
  std::filesystem::remove(cluster_.root(0) / "empty.dat");
  auto third_tree = snapshot(cluster_);
  auto third = backup_to(cluster_, "azure");
  ASSERT_FALSE(third.empty());
  EXPECT_EQ(site_objects(cluster_, "s3", "json"), (Names{first, second})) << "the Azure backup went to S3";

  // 4. Every backup from every site that holds it, into wiped roots.
  expect_restores(cluster_, "local", first, first_tree);
  expect_restores(cluster_, "s3", first, first_tree);
  expect_restores(cluster_, "s3", second, second_tree);
  expect_restores(cluster_, "azure", first, first_tree);
  expect_restores(cluster_, "azure", second, second_tree);
  expect_restores(cluster_, "azure", third, third_tree);

  // 5. `list` shows the backups of all three sites.
  std::map<std::string, Names> expected = {
      {"local", {first}}, {"s3", {first, second}}, {"azure", {first, second, third}}};
  EXPECT_EQ(listed_backups(cluster_), expected);
  auto table = cluster_.cli({"list"});
  expect_ok(table, "list");
  for (const char* row : {"| local ", "| s3 ", "| azure "}) {
    EXPECT_NE(table.out.find(row), std::string::npos) << table.out;
  }
}

}  // namespace
}  // namespace astacus::testing

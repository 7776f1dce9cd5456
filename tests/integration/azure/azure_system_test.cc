// A real 3-node astacus cluster backing up to Azurite and restoring from it through the CLI.
#include <gtest/gtest.h>

#include <algorithm>

#include "../../system/helpers.h"
#include "storage/azure/azure_backend.h"
#include "support/services.h"

namespace astacus::testing {
namespace {

TEST(AzureSystem, ThreeNodeBackupToAzureRestoresByteIdentical) {
  Azurite azurite;
  azurite.create_container("backups");
  TestCluster cluster;
  for (size_t i = 0; i < cluster.size(); ++i) {
    auto config = cluster.config(i);
    config["object_storage"]["storages"] = {{"az", azurite.storage_json("backups")}};
    config["object_storage"]["default_storage"] = "az";
    cluster.write_config(i, config);
  }
  fill_sample_data(cluster);
  std::vector<TreeState> before;
  for (size_t i = 0; i < cluster.size(); ++i) before.push_back(read_tree(cluster.root(i)));
  cluster.start();

  expect_ok(cluster.cli({"-w", "60", "backup"}), "backup");
  auto list = cluster.cli({"list"});
  expect_ok(list, "list");
  EXPECT_NE(list.out.find("| az "), std::string::npos) << list.out;

  auto backend = storage::make_azure_backend("check", azurite.storage_config("backups"), fast_test_options());
  ASSERT_TRUE(backend) << backend.error().to_string();
  auto jsons = (*backend)->list("json");
  ASSERT_TRUE(jsons) << jsons.error().to_string();
  ASSERT_EQ(jsons->size(), 1u);
  EXPECT_TRUE((*jsons)[0].starts_with("backup-")) << (*jsons)[0];
  auto blobs = (*backend)->list("data");
  ASSERT_TRUE(blobs) << blobs.error().to_string();
  EXPECT_GE(blobs->size(), 5u);  // the MB-sized files at least (small ones are embedded)
  EXPECT_TRUE(cluster.stored_objects("json").empty()) << "backup went to local storage";

  for (size_t i = 0; i < cluster.size(); ++i) wipe(cluster.root(i));
  expect_ok(cluster.cli({"-w", "60", "restore"}, 1), "restore");

  EXPECT_EQ(read_tree(cluster.root(0)), before[0]);
  auto expected1 = before[1];
  expected1.erase(".hidden");  // `**` does not match dot files
  EXPECT_EQ(read_tree(cluster.root(1)), expected1);
  EXPECT_EQ(read_tree(cluster.root(2)), before[2]);
}

}  // namespace
}  // namespace astacus::testing

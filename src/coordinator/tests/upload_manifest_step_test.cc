// UploadManifestStep is the backup's commit point: it must refuse to write a manifest that
// references a blob storage does not hold, whether the blob was known from the listing at
// the start of the backup or uploaded during it (checked one by one or by a new listing).
#include <gtest/gtest.h>

#include "codec/blake2s.h"
#include "coordinator/steps.h"
#include "storage/tests/temp_dir.h"

namespace astacus::coordinator {
namespace {

class UploadManifestStepTest : public ::testing::Test {
 protected:
  UploadManifestStepTest() {
    config::ObjectStorageConfig cfg;
    cfg.default_storage = "site";
    cfg.storages["site"] = config::LocalStorageConfig{tmp_.path().string(), ""};
    cfg.compression.algorithm = "zstd";
    auto opened = storage::ObjectStore::open(cfg, "");
    if (!opened) ADD_FAILURE() << opened.error().message;
    store_ = std::move(opened.value());
    coordinator_.plugin = "files";
    context_.store = store_.get();
    context_.config = &coordinator_;
    context_.attempt_start = now_utc();
    context_.snapshot_results.resize(2);
  }

  /// Stores `n` blobs and lists them for node `node`'s snapshot result.
  void add_blobs(size_t node, int n, bool store_them) {
    auto& hashes = context_.snapshot_results[node].hashes;
    if (!hashes) hashes.emplace();
    for (int i = 0; i < n; ++i) {
      std::string data = fmt::format("node {} blob {} {}", node, i, counter_++);
      std::string hex = codec::blake2s_hex(data);
      if (store_them) store_->upload_blob_data(hex, data).value();
      hashes->push_back({hex, static_cast<int64_t>(data.size())});
    }
    ASSERT_TRUE(store_->flush());
  }

  Status run() { return UploadManifestStep().run(context_); }

  storage::testing::TempDir tmp_;
  std::unique_ptr<storage::ObjectStore> store_;
  config::CoordinatorConfig coordinator_;
  OpContext context_;
  int counter_ = 0;
};

TEST_F(UploadManifestStepTest, WritesTheManifestWhenEveryBlobIsStored) {
  add_blobs(0, 3, true);
  auto listed = store_->list_hexdigests().value();
  context_.stored_hexdigests.insert(listed.begin(), listed.end());
  add_blobs(1, 2, true);  // uploaded "during" the backup: not in stored_hexdigests
  ASSERT_TRUE(run());
  EXPECT_EQ(store_->list_jsons().value(), std::vector<std::string>{context_.written_backup_name});
}

TEST_F(UploadManifestStepTest, RefusesABlobUploadedDuringTheBackupButMissing) {
  add_blobs(0, 2, true);
  add_blobs(1, 1, false);
  auto st = run();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("of node 1 is missing from storage 'site'"), std::string::npos)
      << st.error().message;
  EXPECT_TRUE(store_->list_jsons().value().empty());
}

TEST_F(UploadManifestStepTest, ManyNewBlobsAreCheckedWithOneListing) {
  add_blobs(0, 1100, true);
  add_blobs(1, 3, false);
  auto st = run();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("(3 missing in all)"), std::string::npos) << st.error().message;
  EXPECT_TRUE(store_->list_jsons().value().empty());
}

// The error names the first missing blob in order of appearance (node, then its list), counts
// a blob two nodes hold once, and says the same whether the new blobs were checked one by one
// or by a listing.
class MissingBlobOrder : public UploadManifestStepTest, public ::testing::WithParamInterface<int> {};

TEST_P(MissingBlobOrder, NamesTheFirstMissingBlobByAppearanceAndCountsEachOnce) {
  add_blobs(0, GetParam(), true);
  auto& node0 = *context_.snapshot_results[0].hashes;
  auto& node1 = context_.snapshot_results[1].hashes.emplace();
  // Two blobs never stored; node 0's is named although node 1's digest sorts first.
  std::string first_seen = codec::blake2s_hex("missing c"), sorts_first = codec::blake2s_hex("missing b");
  ASSERT_LT(sorts_first, first_seen);
  node1.push_back({sorts_first, 9});
  node1.push_back({first_seen, 9});  // also node 0's: counted once
  node0.push_back({first_seen, 9});
  auto st = run();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("blob " + first_seen + " of node 0 is missing"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().message.find("(2 missing in all)"), std::string::npos) << st.error().message;
  EXPECT_TRUE(store_->list_jsons().value().empty());
}

INSTANTIATE_TEST_SUITE_P(OneByOneAndByListing, MissingBlobOrder, ::testing::Values(2, 1100));

}  // namespace
}  // namespace astacus::coordinator

// AzureBackend against a real Azurite: object semantics, rohmu metadata naming on the server,
// pagination, the block-list path, ObjectStore over Azure, SAS auth and failure messages.
#include "storage/azure/azure_backend.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>

#include "base/encoding.h"
#include "storage/azure/azure_names.h"
#include "storage/azure/shared_key_auth.h"
#include "integration/packed_store_checks.h"
#include "storage/object_store.h"
#include "support/services.h"

namespace astacus::testing {
namespace {

using storage::AzureBackend;
using storage::Metadata;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string unique_container() {
  static std::atomic<int> n{0};
  return "c" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

// An account SAS for the Blob service (version 2021-08-06 layout), signed with the dev key.
std::string account_sas(const std::string& permissions) {
  std::string version = "2021-08-06", expiry = "2099-01-01T00:00:00Z", protocol = "https,http";
  std::string to_sign = std::string(kAzuriteAccount) + "\n" + permissions + "\nb\nsco\n\n" + expiry + "\n\n" +
                        protocol + "\n" + version + "\n\n";
  std::string sig = storage::azure::hmac_sha256_base64(base64_decode(kAzuriteKey).value(), to_sign);
  using storage::azure::uri_encode;
  return "sv=" + version + "&ss=b&srt=sco&sp=" + permissions + "&se=" + uri_encode(expiry, false) +
         "&spr=" + uri_encode(protocol, false) + "&sig=" + uri_encode(sig, false);
}

class AzureBackendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      azurite_ = new Azurite();
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete azurite_;
    azurite_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(azurite_, nullptr) << start_error_;
    container_ = unique_container();
    azurite_->create_container(container_);
  }

  std::unique_ptr<AzureBackend> backend(storage::AzureBackendOptions options = fast_test_options(),
                                        const std::string& prefix = "") {
    auto config = azurite_->storage_config(container_);
    config.prefix = prefix;
    auto made = storage::make_azure_backend("az", config, options);
    EXPECT_TRUE(made) << made.error().to_string();
    return std::move(*made);
  }

  static Azurite* azurite_;
  static std::string start_error_;
  std::string container_;
};

Azurite* AzureBackendTest::azurite_ = nullptr;
std::string AzureBackendTest::start_error_;

TEST_F(AzureBackendTest, PutGetExistsListRemoveWithColonAndPlusInKeys) {
  auto b = backend();
  const std::string key = "json/backup-2024-01-02T03:04:05+00:00";
  const std::string data = random_bytes(1000, 1);
  ASSERT_TRUE(b->put(key, data, {{"compression-algorithm", "zstd"}}));
  ASSERT_TRUE(b->put("data/ab12", "x", {}));
  ASSERT_TRUE(b->put("data/spaced name:1+2", "", {}));

  auto got = b->get(key);
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(got->data, data);
  EXPECT_EQ(got->metadata, (Metadata{{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(b->get("data/spaced name:1+2").value().data, "");
  EXPECT_TRUE(b->exists(key).value());
  EXPECT_EQ(b->list("json").value(), std::vector<std::string>{"backup-2024-01-02T03:04:05+00:00"});
  EXPECT_EQ(sorted(b->list("data/").value()), (std::vector<std::string>{"ab12", "spaced name:1+2"}));

  ASSERT_TRUE(b->put(key, "replaced", {}));
  EXPECT_EQ(b->get(key).value().data, "replaced");
  EXPECT_TRUE(b->get(key).value().metadata.empty());

  ASSERT_TRUE(b->remove(key));
  EXPECT_FALSE(b->exists(key).value());
  auto missing = b->get(key);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find(key), std::string::npos) << missing.error().message;
  auto removed_again = b->remove(key);
  ASSERT_FALSE(removed_again);
  EXPECT_EQ(removed_again.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(b->list("json").value().empty());
  EXPECT_TRUE(b->list("nothing-here").value().empty());
}

TEST_F(AzureBackendTest, MetadataNamesAreStoredWithUnderscoresAndReadBackWithDashes) {
  auto b = backend();
  Metadata md = {{"encryption-key-id", "key-1"}, {"compression-algorithm", "zstd"}, {"Content-Length", "3"}};
  ASSERT_TRUE(b->put("data/meta", "abc", md));

  auto raw = b->client().call({"Get Blob", "GET", "data/meta", {}, {}, {}});
  ASSERT_TRUE(raw) << raw.error().to_string();
  EXPECT_EQ(raw->header("x-ms-meta-encryption_key_id"), "key-1");
  EXPECT_EQ(raw->header("x-ms-meta-compression_algorithm"), "zstd");
  EXPECT_EQ(raw->header("x-ms-meta-Content_Length"), "3");
  for (const auto& [name, value] : raw->headers) {
    if (name.starts_with("x-ms-meta-")) {
      EXPECT_EQ(name.substr(10).find('-'), std::string::npos) << name;
    }
  }

  auto got = b->get("data/meta").value();
  std::map<std::string, std::string> got_map(got.metadata.begin(), got.metadata.end());
  EXPECT_EQ(got_map, (std::map<std::string, std::string>(md.begin(), md.end())));

  // A blob written by rohmu (names with '_') reads with '-'.
  std::string body = "z";
  ASSERT_TRUE(
      b->client().call({"Put Blob",
                        "PUT",
                        "data/rohmu",
                        {},
                        {{"x-ms-blob-type", "BlockBlob"}, {"x-ms-meta-compression_algorithm", "snappy"}},
                        body}));
  EXPECT_EQ(storage::metadata_value(b->get("data/rohmu").value().metadata, "compression-algorithm"),
            "snappy");

  auto bad = b->put("data/bad", "x", {{"bad name!", "v"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(AzureBackendTest, ListFollowsNextMarkerAndReturnsOnlyDirectChildren) {
  auto options = fast_test_options();
  options.list_page_size = 2;
  auto b = backend(options);
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    std::string name = "blob" + std::to_string(i) + (i % 2 ? ":x+y" : "");
    ASSERT_TRUE(b->put("data/" + name, std::to_string(i), {}));
    expected.push_back(name);
  }
  ASSERT_TRUE(b->put("data/sub/nested", "n", {}));
  ASSERT_TRUE(b->put("data-old/sibling", "s", {}));
  ASSERT_TRUE(b->put("json/m", "m", {}));
  EXPECT_EQ(sorted(b->list("data").value()), sorted(expected));
  EXPECT_EQ(b->list("data/sub").value(), std::vector<std::string>{"nested"});

  // The pages really are small: the first one has a continuation marker.
  auto first = b->client().call({"List Blobs",
                                 "GET",
                                 "",
                                 {{"restype", "container"},
                                  {"comp", "list"},
                                  {"prefix", "data/"},
                                  {"delimiter", "/"},
                                  {"maxresults", "2"}},
                                 {},
                                 {}});
  ASSERT_TRUE(first);
  EXPECT_NE(first->body.find("<NextMarker>"), std::string::npos) << first->body;
  EXPECT_EQ(first->body.find("<NextMarker/>"), std::string::npos) << first->body;
}

TEST_F(AzureBackendTest, PrefixIsPrependedToEveryBlobName) {
  auto b = backend(fast_test_options(), "/cluster-a");
  ASSERT_TRUE(b->put("data/x", "1", {}));
  EXPECT_EQ(b->blob_name("data/x"), "cluster-a/data/x");
  EXPECT_EQ(b->list("data").value(), std::vector<std::string>{"x"});
  auto root = backend();
  EXPECT_EQ(root->list("cluster-a/data").value(), std::vector<std::string>{"x"});
  EXPECT_TRUE(root->list("data").value().empty());
}

TEST_F(AzureBackendTest, LargeObjectsGoThroughPutBlockAndBlockList) {
  auto options = fast_test_options();
  options.single_put_limit = 64 * 1024;
  options.block_size = 100000;
  options.block_threads = 3;
  auto b = backend(options);
  std::string data = random_bytes(1024 * 1024 + 123, 7);
  ASSERT_TRUE(b->put("data/big", data, {{"encryption-key-id", "k"}}));
  auto got = b->get("data/big");
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_TRUE(got->data == data) << "downloaded bytes differ";
  EXPECT_EQ(storage::metadata_value(got->metadata, "encryption-key-id"), "k");

  auto blocks = b->client().call({"Get Block List", "GET", "data/big", {{"comp", "blocklist"}}, {}, {}});
  ASSERT_TRUE(blocks) << blocks.error().to_string();
  size_t count = 0;
  for (size_t pos = blocks->body.find("<Block>"); pos != std::string::npos;
       pos = blocks->body.find("<Block>", pos + 1)) {
    ++count;
  }
  EXPECT_EQ(count, (data.size() + 99999) / 100000) << blocks->body.substr(0, 500);

  // At the threshold exactly: a single Put Blob.
  std::string small = random_bytes(64 * 1024, 8);
  ASSERT_TRUE(b->put("data/at-limit", small, {}));
  EXPECT_EQ(b->get("data/at-limit").value().data, small);
  auto none = b->client().call({"Get Block List", "GET", "data/at-limit", {{"comp", "blocklist"}}, {}, {}});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->body.find("<Block>"), std::string::npos);
}

TEST_F(AzureBackendTest, ObjectStoreRoundTripWithZstd) {
  storage::TransformOptions transforms;
  transforms.compression = "zstd";
  storage::ObjectStore store("az", backend(), transforms);
  std::string manifest = R"({"start": "2024-01-01T00:00:00Z", "attempt": 1})";
  ASSERT_TRUE(store.upload_json("backup-2024-01-01T00:00:00+00:00", manifest));
  EXPECT_EQ(store.download_json("backup-2024-01-01T00:00:00+00:00").value(), manifest);
  EXPECT_TRUE(store.json_exists("backup-2024-01-01T00:00:00+00:00").value());

  TempDir tmp;
  std::string content = std::string(300000, 'a') + random_bytes(5000, 3);
  auto file = tmp.path() / "f";
  std::ofstream(file, std::ios::binary) << content;
  std::string digest(64, 'e');
  auto stored = store.upload_blob(digest, file, content.size());
  ASSERT_TRUE(stored) << stored.error().to_string();
  EXPECT_LT(*stored, content.size());  // compressed
  EXPECT_EQ(store.download_blob(digest).value(), content);
  EXPECT_EQ(store.list_hexdigests().value(), std::vector<std::string>{digest});
  EXPECT_EQ(store.list_jsons().value(), std::vector<std::string>{"backup-2024-01-01T00:00:00+00:00"});

  auto raw = backend()->client().call({"Get Blob", "GET", "data/" + digest, {}, {}, {}});
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->header("x-ms-meta-compression_algorithm"), "zstd");
  ASSERT_TRUE(store.delete_blob(digest));
  EXPECT_TRUE(store.list_hexdigests().value().empty());
}

TEST_F(AzureBackendTest, GetRangeFetchesOnlyTheRange) { check_get_range(*backend()); }

TEST_F(AzureBackendTest, ObjectStorePacksSmallBlobsReadsThemBackAndSweepsThePack) {
  config::ObjectStorageConfig osc;
  osc.default_storage = "az";
  osc.storages["az"] = azurite_->storage_config(container_);
  osc.compression.algorithm = "zstd";
  check_packed_round_trip(osc);
}

TEST_F(AzureBackendTest, SasTokenAuthorizesEveryOperation) {
  auto config = azurite_->storage_config(container_);
  config.account_key.reset();
  config.sas_token = "?" + account_sas("rwdlac");
  auto made = storage::make_azure_backend("az-sas", config, fast_test_options());
  ASSERT_TRUE(made) << made.error().to_string();
  auto& b = **made;
  ASSERT_TRUE(b.put("data/k:1+2", "v", {{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(b.get("data/k:1+2").value().data, "v");
  EXPECT_TRUE(b.exists("data/k:1+2").value());
  EXPECT_EQ(b.list("data").value(), std::vector<std::string>{"k:1+2"});
  EXPECT_TRUE(b.remove("data/k:1+2"));

  config.sas_token = account_sas("rl");  // read + list only
  auto read_only = storage::make_azure_backend("az-ro", config, fast_test_options()).value();
  auto denied = read_only->put("data/y", "v", {});
  ASSERT_FALSE(denied);
  EXPECT_FALSE(denied.error().retryable);
  EXPECT_NE(denied.error().message.find("azure site 'az-ro'"), std::string::npos) << denied.error().message;
  EXPECT_NE(denied.error().message.find("sas_token"), std::string::npos) << denied.error().message;

  config.port = free_port();  // unreachable: the message names the URL but never the token
  auto down = storage::make_azure_backend("az-down", config, fast_test_options()).value()->get("data/y");
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("/data/y"), std::string::npos) << down.error().message;
  EXPECT_EQ(down.error().message.find("sig="), std::string::npos) << down.error().message;
}

TEST_F(AzureBackendTest, WrongAccountKeyFailsNamingTheSite) {
  auto config = azurite_->storage_config(container_);
  config.account_key = base64_encode(std::string(64, 'k'));
  auto b = storage::make_azure_backend("az-wrong", config, fast_test_options()).value();
  auto put = b->put("data/x", "1", {});
  ASSERT_FALSE(put);
  EXPECT_FALSE(put.error().retryable);
  EXPECT_NE(put.error().message.find("azure site 'az-wrong'"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("account_key"), std::string::npos) << put.error().message;
  EXPECT_NE(put.error().message.find("403"), std::string::npos) << put.error().message;
  auto listed = b->list("data");
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().message.find("AuthorizationFailure"), std::string::npos) << listed.error().message;
}

TEST_F(AzureBackendTest, MissingContainerIsAnErrorNamingItAndTheConfigKey) {
  auto made =
      storage::make_azure_backend("az", azurite_->storage_config("no-such-container"), fast_test_options());
  auto& b = **made;
  auto check = [](const Error& e) {
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument) << e.to_string();
    EXPECT_FALSE(e.retryable);
    EXPECT_NE(e.message.find("container 'no-such-container'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("object_storage.storages.az.bucket_name"), std::string::npos) << e.message;
  };
  check(b.put("data/x", "1", {}).error());
  check(b.get("data/x").error());
  check(b.list("data").error());
  check(b.exists("data/x").error());
  check(b.remove("data/x").error());
}

TEST_F(AzureBackendTest, UnreachableEndpointFailsWithinItsDeadline) {
  auto config = azurite_->storage_config(container_);
  config.port = free_port();  // nothing listens there
  auto options = fast_test_options();
  options.retry.max_attempts = 1000;
  options.retry.deadline = std::chrono::milliseconds(1500);
  auto b = storage::make_azure_backend("az-down", config, options).value();
  auto start = std::chrono::steady_clock::now();
  auto got = b->get("data/x");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().retryable);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(got.error().message.find("azure site 'az-down'"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("attempts"), std::string::npos) << got.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(500));  // it did retry
  EXPECT_LE(took, std::chrono::milliseconds(2500));
}

TEST_F(AzureBackendTest, SilentServerTimesOutWithinTheDeadline) {
  // Accepts TCP connections (kernel backlog) but never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto config = azurite_->storage_config(container_);
  config.port = ntohs(addr.sin_port);
  auto options = fast_test_options();
  options.read_timeout = std::chrono::seconds(1);
  options.retry.deadline = std::chrono::milliseconds(2500);
  auto b = storage::make_azure_backend("az-silent", config, options).value();
  auto start = std::chrono::steady_clock::now();
  auto put = b->put("data/x", "1", {});
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kTimeout) << put.error().to_string();
  EXPECT_TRUE(put.error().retryable);
  EXPECT_LE(took, std::chrono::milliseconds(3500));
}

}  // namespace
}  // namespace astacus::testing

// The S3 backend against a real s3rver on 127.0.0.1: object round trips with rohmu-style keys,
// metadata, pagination, multipart, ObjectStore with zstd, and the failure paths (credentials,
// missing bucket, unreachable endpoint, stalled server, connections dropped mid-upload).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "codec/blake2s.h"
#include "integration/packed_store_checks.h"
#include "storage/object_store.h"
#include "storage/s3/s3_backend.h"
#include "support/cluster.h"
#include "support/process.h"
#include "support/services.h"
#include "support/tcp_proxy.h"

namespace astacus::testing {
namespace {

using storage::Backend;
using storage::Metadata;
using storage::S3BackendOptions;
using Seconds = std::chrono::duration<double>;

constexpr const char* kBucket = "astacus-test";
constexpr int64_t kMiB = 1024 * 1024;

S3BackendOptions fast_options() {
  S3BackendOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(20);
  o.retry.max_backoff = std::chrono::milliseconds(200);
  return o;
}

std::unique_ptr<Backend> make_backend(const config::S3StorageConfig& c, const S3BackendOptions& o = fast_options(),
                                      const std::string& site = "main") {
  auto b = storage::make_s3_backend(site, c, o);
  if (!b) throw std::runtime_error(b.error().to_string());
  return std::move(*b);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class S3Backend : public ::testing::Test {
 protected:
  S3rver server_{{kBucket}};
};

TEST_F(S3Backend, DescribeNamesBucketEndpointAndSite) {
  auto b = make_backend(server_.site_config(kBucket), fast_options(), "x");
  EXPECT_EQ(b->describe(), "s3 bucket 'astacus-test' at " + server_.endpoint() + " (site 'x')");
}

TEST_F(S3Backend, PutGetExistsListRemoveWithColonAndPlusKeys) {
  for (std::string prefix : {"", "astacus/node-1", "/lead/and/trail/"}) {
    SCOPED_TRACE("prefix '" + prefix + "'");
    auto b = make_backend(server_.site_config(kBucket, prefix));
    const std::string manifest = "json/backup-2026-11-25T06:24:50+00:00";
    const std::string blob = "data/" + std::string(64, 'a');
    const std::string odd = "json/sp ace&amp;<x>%2B=?#~ü";
    ASSERT_TRUE(b->put(manifest, "manifest bytes", {}));
    ASSERT_TRUE(b->put(blob, random_bytes(1000, 1), {}));
    ASSERT_TRUE(b->put(odd, "odd", {}));
    ASSERT_TRUE(b->put("json-old/not-listed", "x", {}));
    ASSERT_TRUE(b->put("json/sub/not-listed", "x", {}));
    ASSERT_TRUE(b->put("empty", "", {}));

    auto got = b->get(manifest);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->data, "manifest bytes");
    EXPECT_EQ(b->get(blob)->data, random_bytes(1000, 1));
    EXPECT_EQ(b->get(odd)->data, "odd");
    EXPECT_EQ(b->get("empty")->data, "");
    EXPECT_TRUE(b->exists(manifest).value());
    EXPECT_FALSE(b->exists("json/backup-2026-11-25T06:24:50 00:00").value());  // '+' is not ' '

    auto jsons = b->list("json");
    ASSERT_TRUE(jsons) << jsons.error().message;
    EXPECT_EQ(sorted(*jsons), sorted({"backup-2026-11-25T06:24:50+00:00", "sp ace&amp;<x>%2B=?#~ü"}));
    EXPECT_EQ(sorted(b->list("json/").value()), sorted(*jsons));
    EXPECT_EQ(b->list("data").value(), std::vector<std::string>{std::string(64, 'a')});
    EXPECT_TRUE(b->list("nothing-here").value().empty());

    ASSERT_TRUE(b->remove(manifest));
    EXPECT_FALSE(b->exists(manifest).value());
    auto again = b->remove(manifest);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
    auto missing = b->get(manifest);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    EXPECT_NE(missing.error().message.find("backup-2026-11-25T06:24:50+00:00"), std::string::npos)
        << missing.error().message;
    EXPECT_NE(missing.error().message.find(kBucket), std::string::npos) << missing.error().message;
    for (const auto& k : {blob, odd, std::string("json-old/not-listed"), std::string("json/sub/not-listed"),
                          std::string("empty")}) {
      ASSERT_TRUE(b->remove(k)) << k;
    }
  }
}

TEST_F(S3Backend, PrefixesKeepSitesApart) {
  auto a = make_backend(server_.site_config(kBucket, "a"));
  auto b = make_backend(server_.site_config(kBucket, "b"));
  ASSERT_TRUE(a->put("data/x", "from a", {}));
  EXPECT_FALSE(b->exists("data/x").value());
  EXPECT_TRUE(b->list("data").value().empty());
  auto root = make_backend(server_.site_config(kBucket));
  EXPECT_EQ(root->get("a/data/x")->data, "from a");
}

TEST(S3BackendStyles, VirtualHostedStyleReachesTheSameBucket) {
  S3rver server({kBucket}, {"--service-endpoint", "localhost"});  // <bucket>.s3.localhost
  auto c = server.site_config(kBucket, "vh");
  c.host = "s3.localhost";  // libcurl resolves *.localhost to the loopback address itself
  c.addressing_style = "virtual";
  auto virtual_style = make_backend(c);
  EXPECT_EQ(virtual_style->describe(),
            "s3 bucket 'astacus-test' at http://s3.localhost:" + std::to_string(server.port()) + " (site 'main')");
  const std::string key = "json/backup-2026-11-25T06:24:50+00:00";
  auto put = virtual_style->put(key, "vh", {{"compression-algorithm", "zstd"}});
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(virtual_style->get(key)->data, "vh");
  EXPECT_EQ(virtual_style->list("json").value(), std::vector<std::string>{"backup-2026-11-25T06:24:50+00:00"});
  auto path_style = make_backend(server.site_config(kBucket, "vh"));
  EXPECT_EQ(path_style->get(key)->data, "vh");
  ASSERT_TRUE(virtual_style->remove(key));
  EXPECT_FALSE(path_style->exists(key).value());
}

TEST_F(S3Backend, MetadataRoundTrip) {
  auto b = make_backend(server_.site_config(kBucket));
  Metadata md = {{"encryption-key-id", "key1"}, {"compression-algorithm", "zstd"}, {"empty", ""}};
  ASSERT_TRUE(b->put("data/md", "payload", md));
  auto got = b->get("data/md");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(storage::metadata_value(got->metadata, "encryption-key-id"), "key1");
  EXPECT_EQ(storage::metadata_value(got->metadata, "compression-algorithm"), "zstd");
  auto sorted_md = [](Metadata m) {
    std::sort(m.begin(), m.end());
    return m;
  };
  EXPECT_EQ(sorted_md(got->metadata), sorted_md(md));

  // S3 lower-cases names: we do it on write so what comes back is what rohmu would see.
  ASSERT_TRUE(b->put("data/upper", "p", {{"Content-Length", "1"}}));
  EXPECT_EQ(b->get("data/upper")->metadata, (Metadata{{"content-length", "1"}}));
  // Header-unsafe metadata is refused before anything is sent.
  auto bad = b->put("data/bad", "p", {{"x", "line\nbreak"}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(b->exists("data/bad").value());
}

TEST_F(S3Backend, ListingFollowsContinuationTokens) {
  auto options = fast_options();
  options.list_page_size = 3;
  DroppingProxy proxy(server_.port(), "list-type=2", 0);  // counts listing requests
  auto c = server_.site_config(kBucket, "pfx");
  c.port = proxy.port();
  auto b = make_backend(c, options);
  std::vector<std::string> expected;
  for (int i = 0; i < 11; ++i) {
    std::string name = std::string(63, 'a' + static_cast<char>(i % 6)) + std::to_string(i);
    expected.push_back(name);
    ASSERT_TRUE(b->put("data/" + name, std::to_string(i), {}));
  }
  ASSERT_TRUE(b->put("json/backup-2026-11-25T06:24:50+00:00", "m", {}));
  ASSERT_TRUE(b->put("data/sub/deeper", "d", {}));
  auto names = b->list("data");
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(sorted(*names), sorted(expected));
  EXPECT_GE(proxy.seen(), 4) << "11 objects in pages of 3";
}

TEST_F(S3Backend, MultipartUploadIsByteIdenticalWithMetadata) {
  auto options = fast_options();
  options.part_size = 5 * kMiB;  // S3's minimum part size
  DroppingProxy proxy(server_.port(), "partNumber=", 0);  // counts parts, drops nothing
  auto c = server_.site_config(kBucket, "mp");
  c.port = proxy.port();
  auto b = make_backend(c, options);
  std::string data = random_bytes(static_cast<size_t>(12 * kMiB + 12345), 42);
  Metadata md = {{"compression-algorithm", "zstd"}};
  ASSERT_TRUE(b->put("data/big", data, md));
  EXPECT_EQ(proxy.seen(), 3) << "12 MiB in 5 MiB parts";
  auto got = b->get("data/big");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data) << "multipart object differs: " << got->data.size() << " vs " << data.size();
  EXPECT_EQ(got->metadata, md);
  // Exactly the part size: a single PUT.
  ASSERT_TRUE(b->put("data/exact", data.substr(0, 5 * kMiB), {}));
  EXPECT_EQ(proxy.seen(), 3);
  EXPECT_EQ(b->get("data/exact")->data.size(), static_cast<size_t>(5 * kMiB));
}

TEST_F(S3Backend, ObjectStoreRoundTripWithZstd) {
  config::ObjectStorageConfig osc;
  osc.default_storage = "s3";
  osc.storages["s3"] = server_.site_config(kBucket, "site-prefix");
  osc.compression.algorithm = "zstd";
  auto store = storage::ObjectStore::open(osc, "");
  ASSERT_TRUE(store) << store.error().message;
  TempDir dir;
  std::string content = random_bytes(300000, 7) + std::string(300000, 'z');
  auto path = dir.path() / "file.bin";
  std::ofstream(path, std::ios::binary) << content;
  std::string digest = codec::blake2s_hex(content);
  auto stored = (*store)->upload_blob(digest, path, content.size());
  ASSERT_TRUE(stored) << stored.error().message;
  EXPECT_LT(*stored, content.size());
  ASSERT_TRUE((*store)->upload_json("backup-2026-11-25T06:24:50+00:00", R"({"a": 1})"));

  EXPECT_EQ((*store)->download_blob(digest).value(), content);
  EXPECT_EQ((*store)->download_json("backup-2026-11-25T06:24:50+00:00").value(), R"({"a": 1})");
  EXPECT_EQ((*store)->list_hexdigests().value(), std::vector<std::string>{digest});
  EXPECT_EQ((*store)->list_jsons().value(), std::vector<std::string>{"backup-2026-11-25T06:24:50+00:00"});
  EXPECT_TRUE((*store)->json_exists("backup-2026-11-25T06:24:50+00:00").value());
  auto raw = (*store)->backend().get("data/" + digest);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->metadata, (Metadata{{"compression-algorithm", "zstd"}}));
  ASSERT_TRUE((*store)->delete_blob(digest));
  EXPECT_TRUE((*store)->list_hexdigests().value().empty());
}

TEST_F(S3Backend, GetRangeFetchesOnlyTheRange) { check_get_range(*make_backend(server_.site_config(kBucket, "ranges"))); }

TEST_F(S3Backend, ObjectStorePacksSmallBlobsReadsThemBackAndSweepsThePack) {
  config::ObjectStorageConfig osc;
  osc.default_storage = "s3";
  osc.storages["s3"] = server_.site_config(kBucket, "packed");
  osc.compression.algorithm = "zstd";
  check_packed_round_trip(osc);
}

TEST_F(S3Backend, WrongCredentialsNameTheSiteAndTheKeys) {
  auto c = server_.site_config(kBucket);
  c.aws_access_key_id = "NOT-S3RVER";  // s3rver knows only S3RVER (and checks no V4 signature)
  auto b = make_backend(c, fast_options(), "offsite");
  auto put = b->put("data/x", "x", {});
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kForbidden);
  EXPECT_FALSE(put.error().retryable);
  for (const char* part : {"site 'offsite'", "InvalidAccessKeyId", "object_storage.storages.offsite.aws_access_key_id",
                           "aws_secret_access_key", "data/x", kBucket}) {
    EXPECT_NE(put.error().message.find(part), std::string::npos) << part << " missing in: " << put.error().message;
  }
  auto exists = b->exists("data/x");  // a 403 HEAD must not read as "absent"
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code, ErrorCode::kForbidden);
  ASSERT_FALSE(b->list("data"));
  EXPECT_EQ(b->list("data").error().code, ErrorCode::kForbidden);
}

TEST_F(S3Backend, MissingBucketIsNamedWithItsConfigKey) {
  auto b = make_backend(server_.site_config("no-such-bucket"), fast_options(), "main");
  for (auto r : {b->put("data/x", "x", {}), Status(b->list("data").map([](auto&&) {})),
                 Status(b->get("data/x").map([](auto&&) {}))}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(r.error().retryable);
    EXPECT_NE(r.error().message.find("bucket 'no-such-bucket' does not exist"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("NoSuchBucket"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("object_storage.storages.main.bucket_name"), std::string::npos)
        << r.error().message;
  }
}

TEST(S3BackendFailures, UnreachableEndpointFailsWithinItsDeadline) {
  config::S3StorageConfig c;
  c.region = "us-east-1";
  c.bucket_name = kBucket;
  c.aws_access_key_id = "S3RVER";
  c.aws_secret_access_key = "S3RVER";
  c.host = "127.0.0.1";
  c.port = free_port();  // nothing listens there
  c.connect_timeout = 1;
  S3BackendOptions defaults;  // the production retry policy: 5 attempts, backoff 0.2 s doubling
  auto b = make_backend(c, defaults);
  auto start = std::chrono::steady_clock::now();
  auto r = b->put("data/x", "x", {});
  Seconds elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(*c.port)), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("after 5 attempts"), std::string::npos) << r.error().message;
  EXPECT_LT(elapsed.count(), 8.0) << r.error().message;

  // A short total deadline cuts the retries short.
  S3BackendOptions quick;
  quick.retry.max_attempts = 100;
  quick.retry.deadline = std::chrono::milliseconds(1500);
  b = make_backend(c, quick);
  start = std::chrono::steady_clock::now();
  r = b->put("data/x", "x", {});
  elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("deadline"), std::string::npos) << r.error().message;
  EXPECT_LT(elapsed.count(), 3.0);
}

TEST(S3BackendFailures, StalledServerHitsTheReadTimeout) {
  // Accepts connections (kernel backlog) and never answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  config::S3StorageConfig c;
  c.region = "us-east-1";
  c.bucket_name = kBucket;
  c.aws_access_key_id = "S3RVER";
  c.aws_secret_access_key = "S3RVER";
  c.host = "127.0.0.1";
  c.port = ntohs(addr.sin_port);
  c.read_timeout = 1;
  auto options = fast_options();
  options.retry.max_attempts = 2;
  auto b = make_backend(c, options);
  auto start = std::chrono::steady_clock::now();
  auto r = b->get("data/x");
  Seconds elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().message;
  EXPECT_TRUE(r.error().retryable);
  EXPECT_GE(elapsed.count(), 1.5);
  EXPECT_LT(elapsed.count(), 6.0);
}

TEST_F(S3Backend, ConnectionDroppedMidPutIsRetried) {
  DroppingProxy proxy(server_.port(), "PUT /astacus-test/data/dropped", 1);
  auto c = server_.site_config(kBucket);
  c.port = proxy.port();
  auto b = make_backend(c);
  std::string data = random_bytes(3 * kMiB, 9);
  auto r = b->put("data/dropped", data, {{"compression-algorithm", "zstd"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(proxy.dropped(), 1);
  EXPECT_EQ(proxy.seen(), 2);
  EXPECT_TRUE(b->get("data/dropped")->data == data);
}

TEST_F(S3Backend, ConnectionDroppedMidPartIsRetried) {
  DroppingProxy proxy(server_.port(), "partNumber=2&", 1);
  auto c = server_.site_config(kBucket);
  c.port = proxy.port();
  auto options = fast_options();
  options.part_size = 5 * kMiB;
  auto b = make_backend(c, options);
  std::string data = random_bytes(static_cast<size_t>(11 * kMiB), 10);
  auto r = b->put("data/multi", data, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(proxy.dropped(), 1);
  EXPECT_TRUE(b->get("data/multi")->data == data);
}

TEST_F(S3Backend, LostAnswerToCompleteMultipartUploadStillSucceeds) {
  // S3 completes the upload but the answer never arrives; the retry is refused (S3 says
  // NoSuchUpload, s3rver a 500): the object is recognised by its ETag.
  DroppingProxy proxy(server_.port(), "POST /astacus-test/data/lost?uploadId=", 1, DropMode::kResponse);
  auto c = server_.site_config(kBucket);
  c.port = proxy.port();
  auto options = fast_options();
  options.part_size = 5 * kMiB;
  auto b = make_backend(c, options);
  std::string data = random_bytes(static_cast<size_t>(6 * kMiB), 12);
  auto r = b->put("data/lost", data, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(proxy.dropped(), 1);
  EXPECT_TRUE(b->get("data/lost")->data == data);
}

TEST_F(S3Backend, FailedMultipartLeavesNoPartialObject) {
  auto direct = make_backend(server_.site_config(kBucket));
  ASSERT_TRUE(direct->put("data/kept", "old version", {}));

  DroppingProxy proxy(server_.port(), "partNumber=2&", -1);  // part 2 never gets through
  auto c = server_.site_config(kBucket);
  c.port = proxy.port();
  auto options = fast_options();
  options.part_size = 5 * kMiB;
  options.retry.max_attempts = 3;
  auto b = make_backend(c, options);
  std::string data = random_bytes(static_cast<size_t>(11 * kMiB), 11);
  for (const char* key : {"data/new", "data/kept"}) {
    auto r = b->put(key, data, {});
    ASSERT_FALSE(r) << key;
    EXPECT_TRUE(r.error().retryable) << r.error().message;
    EXPECT_NE(r.error().message.find("after 3 attempts"), std::string::npos) << r.error().message;
  }
  EXPECT_GE(proxy.dropped(), 6);  // 3 attempts per put (libcurl may add a fresh-connection retry of its own)
  EXPECT_FALSE(direct->exists("data/new").value());
  EXPECT_EQ(direct->get("data/kept")->data, "old version");
  EXPECT_EQ(sorted(direct->list("data").value()), std::vector<std::string>{"kept"});
}

TEST_F(S3Backend, ConcurrentUsersShareTheBackend) {
  auto options = fast_options();
  options.part_size = 5 * kMiB;
  auto b = make_backend(server_.site_config(kBucket), options);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string key = "data/t" + std::to_string(t) + "-" + std::to_string(i);
        std::string data = random_bytes(static_cast<size_t>(i == 0 ? 6 * kMiB : 1000 * (i + 1)), t * 10 + i);
        if (!b->put(key, data, {}) || b->get(key).value_or(storage::StoredObject{}).data != data) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(b->list("data").value().size(), 20u);
}

}  // namespace
}  // namespace astacus::testing

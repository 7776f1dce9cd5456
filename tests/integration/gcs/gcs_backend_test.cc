// The GCS backend against the GCS stand-in (gcs_stand_in) on 127.0.0.1: round trips with
// metadata, pagination, prefixes, multi-chunk resumable uploads, ObjectStore with zstd, and the
// failure paths (wrong credentials, missing bucket, unreachable endpoint, connections dropped
// mid-upload, no partial objects).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "gcs_stand_in_process.h"
#include "storage/gcs/gcs_backend.h"
#include "storage/gcs/gcs_upload.h"
#include "integration/packed_store_checks.h"
#include "storage/object_store.h"
#include "support/cluster.h"
#include "support/process.h"

namespace astacus::testing {
namespace {

using storage::GcsBackend;
using storage::GcsBackendOptions;
using storage::Metadata;
using Seconds = std::chrono::duration<double>;

constexpr const char* kBucket = "astacus-test";
constexpr size_t kQuantum = 256 * 1024;

GcsBackendOptions fast_options() {
  GcsBackendOptions o;
  o.retry.initial_backoff = std::chrono::milliseconds(20);
  o.retry.max_backoff = std::chrono::milliseconds(200);
  o.chunk_size = kQuantum;  // several chunks for anything above 256 KiB
  return o;
}

std::unique_ptr<GcsBackend> make_backend(const config::GoogleStorageConfig& c,
                                         const GcsBackendOptions& o = fast_options(),
                                         const std::string& site = "main") {
  auto b = storage::make_gcs_backend(site, c, o);
  if (!b) throw std::runtime_error(b.error().to_string());
  return std::move(*b);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class GcsStandInBackend : public ::testing::Test {
 protected:
  /// One zstd site "gcs" on the stand-in's bucket under `prefix`.
  config::ObjectStorageConfig zstd_site(const std::string& prefix) const {
    config::ObjectStorageConfig c;
    c.temporary_directory = "/tmp";
    c.default_storage = "gcs";
    c.storages["gcs"] = server_.site_config(kBucket, prefix);
    c.compression.algorithm = "zstd";
    return c;
  }

  GcsStandIn server_{{{kBucket}}};
};

TEST_F(GcsStandInBackend, PutGetExistsListRemoveRoundTrip) {
  for (std::string prefix : {"", "astacus/node-1", "/lead/and/trail/"}) {
    SCOPED_TRACE("prefix '" + prefix + "'");
    auto b = make_backend(server_.site_config(kBucket, prefix));
    const std::string manifest = "json/backup-2026-11-25T06:24:50+00:00";
    const std::string blob = "data/" + std::string(64, 'a');
    const std::string odd = "json/sp ace&amp;<x>%2B=?#~ü";
    ASSERT_TRUE(b->put(manifest, "manifest bytes", {{"compression-algorithm", "zstd"}}));
    ASSERT_TRUE(b->put(blob, random_bytes(1000, 1), {}));
    ASSERT_TRUE(b->put(odd, "odd", {}));
    ASSERT_TRUE(b->put("json-old/not-listed", "x", {}));
    ASSERT_TRUE(b->put("json/sub/not-listed", "x", {}));
    ASSERT_TRUE(b->put("empty", "", {}));

    auto got = b->get(manifest);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->data, "manifest bytes");
    EXPECT_EQ(storage::metadata_value(got->metadata, "compression-algorithm"), "zstd");
    EXPECT_EQ(b->get(blob)->data, random_bytes(1000, 1));
    EXPECT_EQ(b->get(odd)->data, "odd");
    EXPECT_EQ(b->get("empty")->data, "");
    EXPECT_TRUE(b->exists(manifest).value());
    EXPECT_FALSE(b->exists("json/nope").value());

    EXPECT_EQ(sorted(b->list("json").value()), sorted({manifest.substr(5), odd.substr(5)}));
    EXPECT_EQ(b->list("json/").value().size(), 2u);
    EXPECT_EQ(b->list("data").value(), std::vector<std::string>{std::string(64, 'a')});
    EXPECT_TRUE(b->list("nothing").value().empty());

    ASSERT_TRUE(b->put(manifest, "replaced", {}));
    EXPECT_EQ(b->get(manifest)->data, "replaced");
    EXPECT_TRUE(b->get(manifest)->metadata.empty());

    ASSERT_TRUE(b->remove(manifest));
    auto removed = b->remove(manifest);
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(contains(removed.error().message, manifest)) << removed.error().message;
    auto missing = b->get(manifest);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    EXPECT_TRUE(contains(missing.error().message, manifest)) << missing.error().message;
    for (const auto& key : {blob, odd, std::string("json-old/not-listed"), std::string("json/sub/not-listed"),
                            std::string("empty")}) {
      ASSERT_TRUE(b->remove(key)) << key;
    }
  }
  EXPECT_EQ(server_.stats()["objects"], 0);
}

TEST_F(GcsStandInBackend, PrefixesKeepSitesApart) {
  auto a = make_backend(server_.site_config(kBucket, "site-a"));
  auto b = make_backend(server_.site_config(kBucket, "site-a-2"));
  ASSERT_TRUE(a->put("data/x", "from a", {}));
  ASSERT_TRUE(b->put("data/y", "from b", {}));
  EXPECT_EQ(a->list("data").value(), std::vector<std::string>{"x"});
  EXPECT_EQ(b->list("data").value(), std::vector<std::string>{"y"});
  EXPECT_FALSE(a->exists("data/y").value());
  EXPECT_EQ(a->object_name("data/x"), "site-a/data/x");
}

TEST_F(GcsStandInBackend, MetadataRoundTrip) {
  auto b = make_backend(server_.site_config(kBucket));
  Metadata md = {{"encryption-key-id", "key1"}, {"compression-algorithm", "snappy"}, {"Content-Length", "1234"},
                 {"ünï", "välue with spaces & \"quotes\""}};
  ASSERT_TRUE(b->put("json/m", "payload", md));
  auto got = b->get("json/m");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->metadata.size(), md.size());
  for (const auto& [key, value] : md) EXPECT_EQ(storage::metadata_value(got->metadata, key), value) << key;
}

TEST_F(GcsStandInBackend, ListingFollowsPageTokens) {
  auto b = make_backend(server_.site_config(kBucket, "paged"));  // the stand-in's default page is 2
  std::vector<std::string> expected;
  for (int i = 0; i < 9; ++i) {
    std::string name = "blob-" + std::to_string(i);
    ASSERT_TRUE(b->put("data/" + name, name, {}));
    expected.push_back(name);
  }
  ASSERT_TRUE(b->put("data/sub/deeper", "x", {}));  // a prefix entry on some page, never listed
  EXPECT_EQ(sorted(b->list("data").value()), expected);

  auto options = fast_options();
  options.list_page_size = 4;
  EXPECT_EQ(sorted(make_backend(server_.site_config(kBucket, "paged"), options)->list("data").value()), expected);
}

TEST_F(GcsStandInBackend, LargeObjectGoesInSeveralChunksByteIdentical) {
  auto b = make_backend(server_.site_config(kBucket));
  std::string data = random_bytes(5 * kQuantum + 12345, 42);
  int chunks_before = server_.stats()["chunks"];
  ASSERT_TRUE(b->put("data/large", data, {{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(server_.stats()["chunks"].get<int>() - chunks_before, 6);
  auto got = b->get("data/large");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data);
  EXPECT_EQ(storage::metadata_value(got->metadata, "compression-algorithm"), "zstd");

  // Exactly two chunks: the last one is full too.
  std::string even = random_bytes(2 * kQuantum, 43);
  ASSERT_TRUE(b->put("data/even", even, {}));
  EXPECT_TRUE(b->get("data/even")->data == even);

  // The production chunk size (8 MiB) for a 9 MiB object.
  std::string big = random_bytes(9 * 1024 * 1024, 44);
  ASSERT_TRUE(make_backend(server_.site_config(kBucket), GcsBackendOptions{})->put("data/big", big, {}));
  EXPECT_TRUE(b->get("data/big")->data == big);
}

TEST_F(GcsStandInBackend, ObjectStoreRoundTripWithZstd) {
  auto store = storage::ObjectStore::open(zstd_site("store"), "gcs");
  ASSERT_TRUE(store) << store.error().message;
  std::string text(300000, 'z');
  ASSERT_TRUE((*store)->upload_json("backup-1", text));
  ASSERT_TRUE((*store)->upload_blob_data(std::string(64, 'b'), "blob bytes"));
  EXPECT_EQ((*store)->download_json("backup-1").value(), text);
  EXPECT_EQ((*store)->download_blob(std::string(64, 'b')).value(), "blob bytes");
  EXPECT_EQ((*store)->list_jsons().value(), std::vector<std::string>{"backup-1"});
  EXPECT_EQ((*store)->list_hexdigests().value(), std::vector<std::string>{std::string(64, 'b')});
}

TEST_F(GcsStandInBackend, GetRangeFetchesOnlyTheRange) { check_get_range(*make_backend(server_.site_config(kBucket, "ranges"))); }

TEST_F(GcsStandInBackend, ObjectStorePacksSmallBlobsReadsThemBackAndSweepsThePack) {
  check_packed_round_trip(zstd_site("packed"));
}

TEST_F(GcsStandInBackend, TokenIsCachedAndSentWithEveryRequest) {
  auto b = make_backend(server_.site_config(kBucket));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(b->put("data/t" + std::to_string(i), "x", {}));
  ASSERT_TRUE(b->list("data"));
  auto stats = server_.stats();
  EXPECT_EQ(stats["tokens_issued"], 1);
  EXPECT_EQ(stats["unauthorized"], 0);
}

TEST(GcsStandInTokens, ExpiringTokensAreRenewed) {
  GcsStandIn server({{kBucket}, "", 2, 2});  // tokens live 2 s
  auto b = make_backend(server.site_config(kBucket));
  ASSERT_TRUE(b->put("data/a", "1", {}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  ASSERT_TRUE(b->put("data/b", "2", {}));
  EXPECT_EQ(server.stats()["tokens_issued"], 2);
  EXPECT_EQ(server.stats()["unauthorized"], 0);
}

TEST_F(GcsStandInBackend, ConcurrentUsersShareTheBackend) {
  auto b = make_backend(server_.site_config(kBucket));
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string key = "data/t" + std::to_string(t) + "-" + std::to_string(i);
        std::string data = random_bytes(i == 0 ? 3 * kQuantum + 7 : 1000 * (i + 1), t * 10 + i);
        if (!b->put(key, data, {}) || b->get(key).value_or(storage::StoredObject{}).data != data) failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(b->list("data").value().size(), 20u);
  EXPECT_EQ(server_.stats()["tokens_issued"], 1);
}

// --- failures ------------------------------------------------------------------------------

TEST(GcsStandInFaults, WrongCredentialsNameTheSiteAndTheServerMessage) {
  auto other = codec::generate_rsa_key(2048).value();
  GcsStandIn server({{kBucket}, other.public_pem});  // trusts another key than the account's
  auto b = make_backend(server.site_config(kBucket), fast_options(), "offsite");
  for (auto r : {b->put("data/x", "x", {}), Status(b->list("data").map([](auto&&) {})),
                 Status(b->exists("data/x").map([](auto&&) {}))}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
    EXPECT_FALSE(r.error().retryable);
    for (const char* part : {"object_storage.storages.offsite: GCS authentication failed: ", "Invalid JWT Signature.",
                             "object_storage.storages.offsite.credentials"}) {
      EXPECT_TRUE(contains(r.error().message, part)) << part << " missing in: " << r.error().message;
    }
  }
  EXPECT_EQ(server.stats()["tokens_refused"], 3);  // one try each: refusals are not retried
}

TEST(GcsStandInFaults, RequestsWithoutAValidTokenAreRefused) {
  GcsStandIn server({{kBucket}});
  GcsStandIn impostor({{kBucket}});  // same account key, but its tokens mean nothing to `server`
  auto c = server.site_config(kBucket);
  c.credentials->at("token_uri") = impostor.token_uri();
  auto b = make_backend(c, fast_options(), "x");
  auto r = b->put("data/x", "x", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(contains(r.error().message, "object_storage.storages.x: GCS authentication failed: Invalid Credentials"))
      << r.error().message;
  EXPECT_EQ(server.stats()["unauthorized"], 1);
  EXPECT_EQ(server.stats()["objects"], 0);
}

TEST(GcsStandInFaults, MissingBucketIsNamedWithItsConfigKey) {
  GcsStandIn server({{kBucket}});
  auto b = make_backend(server.site_config("no-such-bucket"), fast_options(), "main");
  for (auto r : {b->put("data/x", "x", {}), Status(b->list("data").map([](auto&&) {})),
                 Status(b->get("data/x").map([](auto&&) {})), Status(b->exists("data/x").map([](auto&&) {})),
                 b->remove("data/x")}) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(r.error().retryable);
    for (const char* part : {"GCS bucket 'no-such-bucket' does not exist", "The specified bucket does not exist.",
                             "object_storage.storages.main.bucket_name"}) {
      EXPECT_TRUE(contains(r.error().message, part)) << part << " missing in: " << r.error().message;
    }
  }
}

TEST(GcsStandInFaults, UnreachableEndpointFailsWithinItsDeadline) {
  GcsStandIn server({{kBucket}});  // tokens work; storage requests go nowhere
  auto c = server.site_config(kBucket);
  int dead_port = free_port();
  c.endpoint = "http://127.0.0.1:" + std::to_string(dead_port);
  auto options = fast_options();
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.retry.max_attempts = 100;
  options.retry.deadline = std::chrono::milliseconds(1500);
  auto b = make_backend(c, options, "far");
  auto start = std::chrono::steady_clock::now();
  auto r = b->put("data/x", "x", {});
  Seconds elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(r.error().retryable);
  for (std::string part : {std::string("object_storage.storages.far"), "127.0.0.1:" + std::to_string(dead_port),
                           std::string("deadline")}) {
    EXPECT_TRUE(contains(r.error().message, part)) << part << " missing in: " << r.error().message;
  }
  EXPECT_LT(elapsed.count(), 4.0) << r.error().message;

  // The token endpoint unreachable too: named in the error, as fast.
  c.credentials->at("token_uri") = "http://127.0.0.1:" + std::to_string(dead_port) + "/token";
  b = make_backend(c, options, "far");
  start = std::chrono::steady_clock::now();
  auto listed = b->list("data");
  elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(listed);
  EXPECT_TRUE(contains(listed.error().message, "/token")) << listed.error().message;
  EXPECT_LT(elapsed.count(), 4.0) << listed.error().message;

  // The production policy (6 attempts, 10 s connect timeout) still ends: a refused connection is fast.
  c = server.site_config(kBucket);
  c.endpoint = "http://127.0.0.1:" + std::to_string(dead_port);
  auto slow = make_backend(c, GcsBackendOptions{}, "far");
  start = std::chrono::steady_clock::now();
  r = slow->remove("data/x");
  elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_TRUE(contains(r.error().message, "after 6 attempts")) << r.error().message;
  EXPECT_LT(elapsed.count(), 15.0) << r.error().message;
}

TEST(GcsStandInFaults, ProxyInfoIsUsedForEveryRequest) {
  GcsStandIn server({{kBucket}});
  int dead_port = free_port();
  for (std::string type : {"http", "socks5"}) {
    SCOPED_TRACE(type);
    auto c = server.site_config(kBucket);
    c.proxy_info = config::ProxyInfo{type, "127.0.0.1", dead_port, "user", "pass"};
    auto options = fast_options();
    options.retry.max_attempts = 2;
    auto r = make_backend(c, options, "proxied")->put("data/x", "x", {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(contains(r.error().message, "object_storage.storages.proxied")) << r.error().message;
  }
  auto stats = server.stats();  // nothing reached the stand-in directly
  EXPECT_EQ(stats["tokens_issued"], 0);
  EXPECT_EQ(stats["tokens_refused"], 0);
  EXPECT_EQ(stats["sessions"], 0);
}

TEST(GcsStandInFaults, ConnectionDroppedMidChunkIsResumedFromWhatTheServerHas) {
  GcsStandIn server({{kBucket}});
  auto options = fast_options();
  options.chunk_size = 4 * kQuantum;  // 1 MiB chunks
  auto b = make_backend(server.site_config(kBucket), options);
  std::string data = random_bytes(10 * kQuantum + 999, 7);  // chunks of 4, 4 and 2 quanta + 999
  // The second chunk is cut after 1.5 quanta: the server keeps one quantum of it.
  server.drop_uploads(kQuantum + kQuantum / 2, 1, 1);
  auto r = b->put("data/dropped", data, {{"compression-algorithm", "zstd"}});
  ASSERT_TRUE(r) << r.error().message << "\n" << server.log();
  auto stats = server.stats();
  EXPECT_EQ(stats["drops"], 1);
  EXPECT_GE(stats["status_queries"], 1);
  EXPECT_EQ(stats["sessions"], 1);  // resumed, not started over
  // 4 chunks: 1st, the cut 2nd, the rest of the 2nd (from quantum 5), the last.
  EXPECT_EQ(stats["chunks"], 4);
  auto got = b->get("data/dropped");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->data == data);
  EXPECT_EQ(storage::metadata_value(got->metadata, "compression-algorithm"), "zstd");
}

TEST(GcsStandInFaults, LostAnswerToTheLastChunkStillSucceeds) {
  GcsStandIn server({{kBucket}});
  auto b = make_backend(server.site_config(kBucket));
  std::string data = random_bytes(2 * kQuantum + 10, 8);
  server.drop_uploads(1 << 30, 1, 2);  // the 3rd (last) chunk goes in, its answer is lost
  auto r = b->put("data/lost", data, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(server.stats()["drops"], 1);
  EXPECT_EQ(server.stats()["chunks"], 3);
  EXPECT_TRUE(b->get("data/lost")->data == data);
}

TEST(GcsStandInFaults, NoPartialObjectIsVisibleBeforeTheLastChunk) {
  GcsStandIn server({{kBucket}});
  auto b = make_backend(server.site_config(kBucket));
  ASSERT_TRUE(b->put("data/kept", "old version", {}));
  std::string data = random_bytes(3 * kQuantum + 5, 9);

  // Step by step: after two of four chunks nothing new is visible.
  storage::gcs::ResumableUpload upload(b->client(), b->object_name("data/new"), data, {}, kQuantum);
  ASSERT_TRUE(upload.start());
  ASSERT_FALSE(upload.send_next_chunk().value());
  ASSERT_FALSE(upload.send_next_chunk().value());
  EXPECT_EQ(upload.persisted(), 2 * kQuantum);
  EXPECT_FALSE(b->exists("data/new").value());
  EXPECT_EQ(b->list("data").value(), std::vector<std::string>{"kept"});
  EXPECT_EQ(b->get("data/new").error().code, ErrorCode::kNotFound);
  ASSERT_FALSE(upload.send_next_chunk().value());
  ASSERT_TRUE(upload.send_next_chunk().value());
  EXPECT_TRUE(b->get("data/new")->data == data);

  // Every chunk after the first cut: the put fails, nothing partial appears, the old object stays.
  auto options = fast_options();
  options.retry.max_attempts = 3;
  auto failing = make_backend(server.site_config(kBucket), options);
  server.drop_uploads(kQuantum / 2, -1, 1);
  for (const char* key : {"data/never", "data/kept"}) {
    auto r = failing->put(key, data, {});
    ASSERT_FALSE(r) << key;
    EXPECT_TRUE(r.error().retryable) << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "after 3 attempts")) << r.error().message;
    server.drop_uploads(kQuantum / 2, -1, 1);
  }
  server.drop_uploads(0, 0);
  EXPECT_FALSE(b->exists("data/never").value());
  EXPECT_EQ(b->get("data/kept")->data, "old version");
  EXPECT_EQ(sorted(b->list("data").value()), (std::vector<std::string>{"kept", "new"}));
}

}  // namespace
}  // namespace astacus::testing

#include "storage/object_store.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/files.h"
#include "codec/blake2s.h"
#include "codec/rsa_envelope.h"
#include "codec/sha256.h"
#include "storage/local/local_backend.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

const codec::RsaKeyPem& test_key() {
  static const codec::RsaKeyPem key = codec::generate_rsa_key(2048).value();
  return key;
}

config::ObjectStorageConfig local_config(const fs::path& dir, std::optional<std::string> algorithm,
                                         std::optional<std::string> key_id) {
  config::ObjectStorageConfig cfg;
  cfg.default_storage = "site-a";
  cfg.storages["site-a"] = config::LocalStorageConfig{dir.string(), "prefix-a"};
  cfg.storages["site-b"] = config::LocalStorageConfig{dir.string(), "prefix-b"};
  cfg.compression.algorithm = std::move(algorithm);
  if (key_id) {
    cfg.encryption_key_id = key_id;
    cfg.encryption_keys[*key_id] = config::EncryptionKey{test_key().public_pem, test_key().private_pem};
  }
  return cfg;
}

std::string blob_content(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i) + " of a test blob\n";
  s.resize(n);
  return s;
}

struct Codec {
  std::optional<std::string> algorithm;
  std::optional<std::string> key_id;
};

class ObjectStoreRoundTrip : public ::testing::TestWithParam<Codec> {
 protected:
  testing::TempDir tmp_;
};

TEST_P(ObjectStoreRoundTrip, BlobsAndJsons) {
  auto store =
      ObjectStore::open(local_config(tmp_.path(), GetParam().algorithm, GetParam().key_id), "").value();
  EXPECT_EQ(store->name(), "site-a");
  fs::path src = tmp_.path() / "source-file";
  std::string content = blob_content(300000);
  std::ofstream(src, std::ios::binary) << content << "grown after snapshot";
  std::string hex = codec::blake2s_hex(content);
  uint64_t stored_size = store->upload_blob(hex, src, content.size(), true).value();
  EXPECT_TRUE(store->list_hexdigests().value().empty()) << "blob uploads are batched until flush()";
  ASSERT_TRUE(store->flush());
  EXPECT_EQ(fs::file_size(tmp_.path() / "prefix-a" / "data" / hex), stored_size);
  EXPECT_EQ(store->download_blob(hex).value(), content);
  EXPECT_EQ(store->list_hexdigests().value(), std::vector<std::string>{hex});
  EXPECT_EQ(store->blobs_last_listed(), 0u) << "only a complete streamed listing sets the hint";
  size_t streamed = 0;
  ASSERT_TRUE(store->list_hexdigests_each([&](std::string_view) { ++streamed; }));
  EXPECT_EQ(streamed, 1u);
  EXPECT_EQ(store->blobs_last_listed(), 1u);

  std::string name = "backup-2026-11-25T06:24:50+00:00";
  std::string manifest = R"({"attempt": 1, "plugin": "files"})";
  ASSERT_TRUE(store->upload_json(name, manifest));
  EXPECT_TRUE(store->json_exists(name).value());
  EXPECT_EQ(store->download_json(name).value(), manifest);
  EXPECT_EQ(store->list_jsons().value(), std::vector<std::string>{name});

  // Streamed from pieces: the same plaintext back; a wrong size or a failed producer stores nothing.
  std::string big = blob_content(3 << 20);
  auto produce = [&](std::string_view text) {
    return [&, text](codec::ByteSink& out) -> Status {
      for (size_t at = 0; at < text.size(); at += 100000) ASTACUS_CHECK(out.write(text.substr(at, 100000)));
      return ok();
    };
  };
  ASSERT_TRUE(store->upload_json_from("streamed", big.size(), produce(big)));
  EXPECT_EQ(store->download_json("streamed").value(), big);
  EXPECT_FALSE(store->upload_json_from("short", big.size() + 1, produce(big)));
  EXPECT_FALSE(store->upload_json_from("failed", 5, [](codec::ByteSink& out) -> Status {
    ASTACUS_CHECK(out.write("ab"));
    return errorf(ErrorCode::kUnavailable, "producer failed");
  }));
  EXPECT_FALSE(store->json_exists("short").value());
  EXPECT_FALSE(store->json_exists("failed").value());
  ASSERT_TRUE(store->delete_json("streamed"));

  // Empty plaintext round-trips too (stored as 0 bytes for snappy/encryption).
  ASSERT_TRUE(store->upload_json("empty", ""));
  EXPECT_EQ(store->download_json("empty").value(), "");

  ASSERT_TRUE(store->delete_json(name));
  EXPECT_FALSE(store->json_exists(name).value());
  ASSERT_TRUE(store->delete_blob(hex));
  EXPECT_EQ(store->download_blob(hex).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->delete_blob(hex).error().code, ErrorCode::kNotFound);
}

TEST_P(ObjectStoreRoundTrip, MetadataOrderAndSidecarBytes) {
  auto store =
      ObjectStore::open(local_config(tmp_.path(), GetParam().algorithm, GetParam().key_id), "site-b").value();
  ASSERT_TRUE(store->upload_json("m", "{}"));
  auto raw = store->backend().get("json/m").value();
  Metadata expected;
  if (GetParam().key_id) expected.emplace_back("encryption-key-id", *GetParam().key_id);
  if (GetParam().algorithm) expected.emplace_back("compression-algorithm", *GetParam().algorithm);
  EXPECT_EQ(raw.metadata, expected);
  std::string sidecar = read_file(tmp_.path() / "prefix-b" / "json" / "m.metadata").value();
  std::string body;
  for (const auto& [k, v] : expected) body += "\"" + k + "\": \"" + v + "\", ";
  EXPECT_EQ(sidecar, "{" + body + "\"_hash\": \"" + codec::sha256_hex(raw.data) + "\"}");
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, ObjectStoreRoundTrip,
                         ::testing::Values(Codec{"zstd", std::nullopt}, Codec{"snappy", std::nullopt},
                                           Codec{"lzma", std::nullopt}, Codec{std::nullopt, "k1"},
                                           Codec{"zstd", "k1"}, Codec{"snappy", "k1"}, Codec{"lzma", "k1"}),
                         [](const auto& info) {
                           return info.param.algorithm.value_or("none") + (info.param.key_id ? "_rsa" : "");
                         });

TEST(ObjectStoreSidecar, ZstdSidecarIsExactlyRohmus) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  ASSERT_TRUE(store->upload_json("n", "hello"));
  std::string stored = read_file(tmp.path() / "prefix-a" / "json" / "n").value();
  EXPECT_EQ(read_file(tmp.path() / "prefix-a" / "json" / "n.metadata").value(),
            R"({"compression-algorithm": "zstd", "_hash": ")" + codec::sha256_hex(stored) + R"("})");
}

TEST(ObjectStoreOpen, ConfigErrorsNameTheKey) {
  testing::TempDir tmp;
  auto unknown = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "unknown storage 'nope'; configured: site-a, site-b");

  auto neither = ObjectStore::open(local_config(tmp.path(), std::nullopt, std::nullopt), "site-a");
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(neither.error().message, "object_storage: compression or encryption required");

  auto bad_alg = ObjectStore::open(local_config(tmp.path(), "gzip", std::nullopt), "site-a");
  ASSERT_FALSE(bad_alg);
  EXPECT_NE(bad_alg.error().message.find("object_storage.compression.algorithm"), std::string::npos);
  EXPECT_NE(bad_alg.error().message.find("gzip"), std::string::npos);

  auto cfg = local_config(tmp.path(), std::nullopt, "k1");
  cfg.encryption_key_id = "k2";
  auto bad_key = ObjectStore::open(cfg, "site-a");
  ASSERT_FALSE(bad_key);
  EXPECT_NE(bad_key.error().message.find("'k2'"), std::string::npos);

  auto lzma = local_config(tmp.path(), "lzma", std::nullopt);
  lzma.compression.level = 12;
  EXPECT_NE(ObjectStore::open(lzma, "site-a").error().message.find("object_storage.compression.level"),
            std::string::npos);
}

TEST(ObjectStoreOpen, IncompleteSiteConfigNamesSiteKeyAndStorageType) {
  testing::TempDir tmp;
  auto cfg = local_config(tmp.path(), "zstd", std::nullopt);
  cfg.storages["g"] = config::GoogleStorageConfig{};
  auto message = ObjectStore::open(cfg, "g").error().message;
  EXPECT_NE(message.find("object_storage.storages.g.bucket_name"), std::string::npos) << message;
  EXPECT_NE(message.find("'google'"), std::string::npos) << message;
}

TEST(ObjectStoreRead, DecodesFromObjectMetadataNotWriterConfig) {
  testing::TempDir tmp;
  auto writer = ObjectStore::open(local_config(tmp.path(), "lzma", "k1"), "site-a").value();
  ASSERT_TRUE(writer->upload_json("x", "written with lzma+rsa"));
  auto reader = ObjectStore::open(local_config(tmp.path(), "snappy", "k1"), "site-a").value();
  EXPECT_EQ(reader->download_json("x").value(), "written with lzma+rsa");
}

TEST(ObjectStoreRead, MissingPrivateKeyNamesKeyAndId) {
  testing::TempDir tmp;
  auto writer = ObjectStore::open(local_config(tmp.path(), "zstd", "k1"), "site-a").value();
  ASSERT_TRUE(writer->upload_json("x", "secret"));
  auto reader = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  auto r = reader->download_json("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("json/x"), std::string::npos);
  EXPECT_NE(r.error().message.find("'k1'"), std::string::npos);
  EXPECT_NE(r.error().message.find("object_storage.encryption_keys"), std::string::npos);
}

TEST(ObjectStoreRead, UnknownAlgorithmInMetadataIsNamed) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  ASSERT_TRUE(store->backend().put("json/odd", "x", {{"compression-algorithm", "brotli"}}));
  auto r = store->download_json("odd");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("brotli"), std::string::npos);
  EXPECT_NE(r.error().message.find("json/odd"), std::string::npos);
}

TEST(ObjectStoreRead, NoMetadataMeansRawBytes) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  ASSERT_TRUE(store->backend().put("json/raw", "plain", {{"Content-Length", "5"}}));
  EXPECT_EQ(store->download_json("raw").value(), "plain");
}

TEST(ObjectStoreUpload, ShortFileAndMissingFileAreErrorsNamingPath) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  fs::path src = tmp.path() / "short";
  std::ofstream(src) << "abc";
  auto r = store->upload_blob("aa", src, 10);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(src.string()), std::string::npos);
  EXPECT_EQ(store->upload_blob("aa", tmp.path() / "missing", 1).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store->flush());
  EXPECT_FALSE(store->backend().exists("data/aa").value());
}

TEST(ObjectStoreUpload, VerifiedUploadOfAChangedFileIsAConflictAndStoresNothing) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  fs::path src = tmp.path() / "changed";
  std::ofstream(src) << "new content";
  std::string old_hex = codec::blake2s_hex("old content");
  auto r = store->upload_blob(old_hex, src, 11, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find(src.string()), std::string::npos);
  ASSERT_TRUE(store->flush());
  EXPECT_TRUE(store->list_hexdigests().value().empty());
}

TEST(ObjectStoreUpload, NamesCannotEscape) {
  testing::TempDir tmp;
  auto store = ObjectStore::open(local_config(tmp.path(), "zstd", std::nullopt), "site-a").value();
  for (std::string name : {"", ".", "..", "../x", "a/b"}) {
    EXPECT_EQ(store->upload_json(name, "x").error().code, ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(store->download_blob(name).error().code, ErrorCode::kInvalidArgument) << name;
  }
}

}  // namespace
}  // namespace astacus::storage

namespace astacus::storage {
namespace {

TEST(ObjectStoreDataKey, Astdk1ObjectsShareOneWrappedKeyPerBackupAndAnyStoreReadsThem) {
  testing::TempDir tmp;
  auto cfg = local_config(tmp.path(), "zstd", "k1");
  cfg.encryption_format = "astdk1";
  auto store = ObjectStore::open(cfg, "").value();
  auto wrapped_key_of = [&](const std::string& hex) {
    std::string raw = store->backend().get("data/" + hex).value().data;
    EXPECT_EQ(raw.substr(0, 6), "astdk1");
    size_t len = (static_cast<uint8_t>(raw[6]) << 8) | static_cast<uint8_t>(raw[7]);
    return raw.substr(8, len);
  };
  std::vector<std::string> hexes;
  for (int i = 0; i < 3; ++i) {
    std::string content = blob_content(1000 + static_cast<size_t>(i));
    hexes.push_back(codec::blake2s_hex(content));
    ASSERT_TRUE(store->upload_blob_data(hexes.back(), content));
  }
  store->rotate_data_key();
  std::string later = blob_content(5000);
  ASSERT_TRUE(store->upload_blob_data(codec::blake2s_hex(later), later));
  ASSERT_TRUE(store->flush());

  EXPECT_EQ(wrapped_key_of(hexes[0]), wrapped_key_of(hexes[1])) << "one data key per backup";
  EXPECT_EQ(wrapped_key_of(hexes[1]), wrapped_key_of(hexes[2]));
  EXPECT_NE(wrapped_key_of(hexes[0]), wrapped_key_of(codec::blake2s_hex(later))) << "rotated";

  // A store configured for the default format reads both formats by their magic.
  auto cfg_default = local_config(tmp.path(), "zstd", "k1");
  auto reader = ObjectStore::open(cfg_default, "").value();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reader->download_blob(hexes[static_cast<size_t>(i)]).value(), blob_content(1000 + static_cast<size_t>(i)));
  }
  EXPECT_EQ(reader->download_blob(codec::blake2s_hex(later)).value(), later);
}

}  // namespace
}  // namespace astacus::storage

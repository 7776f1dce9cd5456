// Reads the local storages written by real Python Astacus (../shared/compat/python-astacus) with
// the codec and keys of each fixture's config/node0.yaml. A missing fixture folder is a failure.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "base/files.h"
#include "codec/blake2s.h"
#include "codec/sha256.h"
#include "storage/local/sidecar.h"
#include "storage/object_store.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFixtures[] = {
    "files-lzma-1node",       "files-lzma-rsa-1node", "files-rsa-only-1node",     "files-snappy-1node",
    "files-snappy-rsa-1node", "files-zstd-3node",     "files-zstd-level19-1node",
};

fs::path fixtures_root() {
  if (const char* env = std::getenv("ASTACUS_PYTHON_FIXTURES")) return env;
  return ASTACUS_PYTHON_FIXTURES_DIR;
}

// object_storage of config/node0.yaml, with ${STORAGE} pointing at `storage_dir`.
config::ObjectStorageConfig load_object_storage(const fs::path& fixture, const fs::path& storage_dir) {
  YAML::Node os = YAML::LoadFile((fixture / "config" / "node0.yaml").string())["object_storage"];
  config::ObjectStorageConfig cfg;
  cfg.default_storage = os["default_storage"].as<std::string>();
  if (os["compression"] && os["compression"]["algorithm"]) {
    cfg.compression.algorithm = os["compression"]["algorithm"].as<std::string>();
    cfg.compression.level = os["compression"]["level"].as<int>(0);
  }
  if (os["encryption_key_id"]) cfg.encryption_key_id = os["encryption_key_id"].as<std::string>();
  for (const auto& key : os["encryption_keys"]) {
    cfg.encryption_keys[key.first.as<std::string>()] = config::EncryptionKey{
        key.second["public"].as<std::string>(), key.second["private"].as<std::string>()};
  }
  for (const auto& storage : os["storages"]) {
    EXPECT_EQ(storage.second["storage_type"].as<std::string>(), "local");
    EXPECT_EQ(storage.second["directory"].as<std::string>(), "${STORAGE}");
    cfg.storages[storage.first.as<std::string>()] =
        config::LocalStorageConfig{storage_dir.string(), storage.second["prefix"].as<std::string>("")};
  }
  return cfg;
}

std::set<std::string> object_files(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".metadata")) names.insert(name);
  }
  return names;
}

class PythonFixture : public ::testing::TestWithParam<const char*> {
 protected:
  fs::path fixture() const { return fixtures_root() / GetParam(); }
  std::unique_ptr<ObjectStore> open_store(const fs::path& storage_dir) const {
    auto cfg = load_object_storage(fixture(), storage_dir);
    auto store = ObjectStore::open(cfg, "");
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }
};

TEST_P(PythonFixture, EveryBlobDecodesToItsBlake2s) {
  ASSERT_TRUE(fs::is_directory(fixture() / "storage" / "data")) << fixture() << " is missing";
  auto store = open_store(fixture() / "storage");
  ASSERT_TRUE(store);
  auto names = store->list_hexdigests().value();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), object_files(fixture() / "storage" / "data"));
  ASSERT_FALSE(names.empty());
  for (const auto& hex : names) {
    auto plain = store->download_blob(hex);
    ASSERT_TRUE(plain) << plain.error().to_string();
    EXPECT_GT(plain->size(), 200u) << hex;  // smaller files are embedded in the manifest
    EXPECT_EQ(codec::blake2s_hex(*plain), hex);
  }
}

TEST_P(PythonFixture, EveryManifestDecodesToThePlaintextCopy) {
  ASSERT_TRUE(fs::is_directory(fixture() / "storage" / "json")) << fixture() << " is missing";
  auto store = open_store(fixture() / "storage");
  ASSERT_TRUE(store);
  auto names = store->list_jsons().value();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), object_files(fixture() / "storage" / "json"));
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    auto plain = store->download_json(name);
    ASSERT_TRUE(plain) << plain.error().to_string();
    auto expected = read_file(fixture() / "manifests-plaintext" / (name + ".json"));
    ASSERT_TRUE(expected) << expected.error().to_string();
    EXPECT_EQ(nlohmann::json::parse(*plain), nlohmann::json::parse(*expected)) << name;
  }
}

TEST_P(PythonFixture, SidecarsReformatByteForByte) {
  int checked = 0;
  for (const char* dir : {"data", "json"}) {
    for (const auto& entry : fs::directory_iterator(fixture() / "storage" / dir)) {
      if (entry.path().extension() != ".metadata") continue;
      std::string text = read_file(entry.path()).value();
      auto sidecar = local::parse_sidecar(text).value();
      EXPECT_EQ(local::format_sidecar(sidecar.metadata, sidecar.hash).value(), text) << entry.path();
      fs::path object = entry.path();
      object.replace_extension();
      EXPECT_EQ(codec::sha256_hex(read_file(object).value()), sidecar.hash) << object;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PythonFixture, ::testing::ValuesIn(kFixtures), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(PythonFixtures, EveryFixtureFolderIsCovered) {
  ASSERT_TRUE(fs::is_directory(fixtures_root())) << fixtures_root() << " is missing";
  std::set<std::string> known(std::begin(kFixtures), std::end(kFixtures));
  for (const auto& entry : fs::directory_iterator(fixtures_root())) {
    if (fs::is_directory(entry.path() / "storage")) {
      EXPECT_TRUE(known.contains(entry.path().filename().string()))
          << "add " << entry.path() << " to kFixtures";
    }
  }
}

class TamperedFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_ = fixtures_root() / "files-lzma-rsa-1node";
    ASSERT_TRUE(fs::is_directory(fixture_ / "storage")) << fixture_ << " is missing";
    fs::copy(fixture_ / "storage", tmp_.path() / "storage", fs::copy_options::recursive);
    auto cfg = load_object_storage(fixture_, tmp_.path() / "storage");
    store_ = std::move(ObjectStore::open(cfg, "").value());
    hex_ = store_->list_hexdigests().value().at(0);
    blob_ = tmp_.path() / "storage" / "data" / hex_;
    stored_ = read_file(blob_).value();
    stored_[stored_.size() - 33] ^= 0x01;  // last ciphertext byte, just before the HMAC tag
  }
  void write_blob(bool fix_sidecar_hash) {
    ASSERT_TRUE(write_file_atomic(blob_, stored_));
    if (!fix_sidecar_hash) return;
    fs::path sidecar_path = blob_;
    sidecar_path += ".metadata";
    auto sidecar = local::parse_sidecar(read_file(sidecar_path).value()).value();
    ASSERT_TRUE(write_file_atomic(
        sidecar_path, local::format_sidecar(sidecar.metadata, codec::sha256_hex(stored_)).value()));
  }

  testing::TempDir tmp_;
  fs::path fixture_;
  std::unique_ptr<ObjectStore> store_;
  std::string hex_;
  fs::path blob_;
  std::string stored_;
};

TEST_F(TamperedFixture, HmacCatchesTamperedCiphertext) {
  write_blob(/*fix_sidecar_hash=*/true);
  auto r = store_->download_blob(hex_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("data/" + hex_), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("Integrity check failed"), std::string::npos) << r.error().message;
}

TEST_F(TamperedFixture, SidecarHashCatchesTamperedBytes) {
  write_blob(/*fix_sidecar_hash=*/false);
  auto r = store_->download_blob(hex_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("data/" + hex_), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace astacus::storage

// Packed small blobs (storage/pack/): the index format, and an ObjectStore on a real local
// directory writing, listing, reading and sweeping packs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "codec/blake2s.h"
#include "codec/rsa_envelope.h"
#include "storage/local/local_backend.h"
#include "storage/object_store.h"
#include "storage/pack/pack_catalog.h"
#include "storage/pack/pack_index.h"
#include "storage/pack/pack_listing.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

pack::Digest digest_n(uint8_t n) {
  pack::Digest d{};
  d.fill(n);
  d[31] = static_cast<uint8_t>(255 - n);
  return d;
}

TEST(PackIndex, RoundTripsEntriesAndMetadata) {
  pack::Index index{{{"encryption-key-id", "k1"}, {"compression-algorithm", "zstd"}},
                    {{digest_n(1), 0, 17}, {digest_n(2), 17, 4096}, {digest_n(3), 4113, 0}}};
  std::string bytes = pack::encode_index(index);
  EXPECT_TRUE(bytes.starts_with("astpk1\n"));
  auto back = pack::decode_index(bytes, "pack/x.idx").value();
  EXPECT_EQ(back.entry_metadata, index.entry_metadata);
  ASSERT_EQ(back.entries.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.entries[i].digest, index.entries[i].digest);
    EXPECT_EQ(back.entries[i].offset, index.entries[i].offset);
    EXPECT_EQ(back.entries[i].length, index.entries[i].length);
  }
}

TEST(PackIndex, CorruptIndexesAreRefusedNamingTheObject) {
  std::string good = pack::encode_index({{{"compression-algorithm", "zstd"}}, {{digest_n(1), 0, 17}}});
  for (const std::string& bad : {std::string("astpk2\n") + good.substr(7), good.substr(0, good.size() - 1),
                                 good + "x", good.substr(0, 9), std::string()}) {
    auto decoded = pack::decode_index(bad, "pack/abc.idx");
    ASSERT_FALSE(decoded) << bad.size();
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruption);
    EXPECT_NE(decoded.error().message.find("pack/abc.idx"), std::string::npos) << decoded.error().message;
  }
}

TEST(PackIndex, OnlyBlake2sHexNamesArePackable) {
  std::string hex = codec::blake2s_hex("x");
  auto digest = pack::digest_of(hex);
  ASSERT_TRUE(digest);
  EXPECT_EQ(pack::hex_of(*digest), hex);
  EXPECT_FALSE(pack::digest_of(hex.substr(1)));
  std::string upper = hex;
  upper[0] = 'A';
  EXPECT_FALSE(pack::digest_of(upper));
  EXPECT_FALSE(pack::digest_of("not-a-digest"));
}

TEST(LocalGetRange, ReadsTheRangeAndFailsClearlyPastTheEnd) {
  testing::TempDir tmp;
  LocalBackend backend(tmp.path(), "p");
  ASSERT_TRUE(backend.put("pack/a", "0123456789", {}));
  EXPECT_EQ(backend.get_range("pack/a", 3, 4).value(), "3456");
  EXPECT_EQ(backend.get_range("pack/a", 10, 0).value(), "");
  auto past = backend.get_range("pack/a", 8, 5);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, ErrorCode::kCorruption);
  EXPECT_NE(past.error().message.find("pack/a"), std::string::npos) << past.error().message;
  EXPECT_EQ(backend.get_range("pack/missing", 0, 1).error().code, ErrorCode::kNotFound);
}

const codec::RsaKeyPem& test_key() {
  static const codec::RsaKeyPem key = codec::generate_rsa_key(2048).value();
  return key;
}

enum class Encryption { kNone, kPghoa1, kAstdk1 };

TransformOptions pack_options(bool pack, Encryption encryption = Encryption::kNone) {
  TransformOptions options;
  options.compression = "zstd";
  options.pack_small_blobs = pack;
  options.pack_target_bytes = 64 << 10;  // several packs from a few hundred small blobs
  if (encryption != Encryption::kNone) {
    options.encryption_key_id = "k";
    options.encryption_keys["k"] = config::EncryptionKey{test_key().public_pem, test_key().private_pem};
    options.data_key_format = encryption == Encryption::kAstdk1;
  }
  return options;
}

std::unique_ptr<ObjectStore> open_store(const fs::path& dir, bool pack, Encryption encryption = Encryption::kNone) {
  return std::make_unique<ObjectStore>("site", std::make_unique<LocalBackend>(dir, "prefix"),
                                       pack_options(pack, encryption));
}

// Distinct, poorly compressible contents of a few KiB (so packs fill up).
std::map<std::string, std::string> small_blobs(size_t n) {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string content;
    uint32_t x = static_cast<uint32_t>(i) * 2654435761u + 1;
    for (size_t j = 0; j < 1000 + 37 * i % 3000; ++j) {
      x = x * 1103515245u + 12345u;
      content.push_back(static_cast<char>(x >> 24));
    }
    out[codec::blake2s_hex(content)] = content;
  }
  return out;
}

// Uploads every blob and flushes (one backup's upload).
void store_all(ObjectStore& store, const std::map<std::string, std::string>& blobs) {
  for (const auto& [hex, content] : blobs) ASSERT_TRUE(store.upload_blob_data(hex, content));
  ASSERT_TRUE(store.flush());
}

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

std::set<std::string> listed(ObjectStore& store) {
  auto names = store.list_hexdigests().value();
  return {names.begin(), names.end()};
}

class PackedStore : public ::testing::Test {
 protected:
  fs::path pack_dir() const { return tmp_.path() / "prefix" / "pack"; }
  fs::path data_dir() const { return tmp_.path() / "prefix" / "data"; }
  testing::TempDir tmp_;
};

TEST_F(PackedStore, SmallBlobsGoIntoPacksVisibleOnlyAfterFlushBigOnesStayLoose) {
  auto store = open_store(tmp_.path(), true);
  auto blobs = small_blobs(200);
  for (const auto& [hex, content] : blobs) ASSERT_TRUE(store->upload_blob_data(hex, content));
  std::string big(300 << 10, 'b');  // over the 256 KiB entry limit
  std::string big_hex = codec::blake2s_hex(big);
  ASSERT_TRUE(store->upload_blob_data(big_hex, big));
  EXPECT_TRUE(store->list_hexdigests().value().empty()) << "packs are batched until flush()";
  ASSERT_TRUE(store->flush());

  std::set<std::string> packs = files_in(pack_dir());
  size_t indexes = 0;
  for (const auto& name : packs) indexes += name.ends_with(".idx") ? 1 : 0;
  EXPECT_GE(indexes, 3u) << "200 blobs of 1-4 KiB fill several 64 KiB packs";
  EXPECT_EQ(files_in(data_dir()), (std::set<std::string>{big_hex, big_hex + ".metadata"}))
      << "only the big blob is a loose object";

  std::set<std::string> expected{big_hex};
  for (const auto& [hex, content] : blobs) expected.insert(hex);
  EXPECT_EQ(listed(*store), expected);
  size_t streamed = 0;
  ASSERT_TRUE(store->list_hexdigests_each([&](std::string_view) { ++streamed; }));
  EXPECT_EQ(store->blobs_last_listed(), 201u);

  // Another process (a fresh store) reads them back.
  auto reader = open_store(tmp_.path(), false);
  for (const auto& [hex, content] : blobs) {
    EXPECT_EQ(reader->download_blob(hex).value(), content);
    EXPECT_TRUE(reader->blob_exists(hex).value());
  }
  EXPECT_EQ(reader->download_blob(big_hex).value(), big);
  std::string missing = codec::blake2s_hex("never stored");
  EXPECT_FALSE(reader->blob_exists(missing).value());
  EXPECT_EQ(reader->download_blob(missing).error().code, ErrorCode::kNotFound);
}

TEST_F(PackedStore, AReaderFindsPacksWrittenAfterItLookedAndStreamsThem) {
  auto reader = open_store(tmp_.path(), false);
  auto blobs = small_blobs(5);
  const auto& [hex, content] = *blobs.begin();
  EXPECT_FALSE(reader->blob_exists(hex).value());  // the reader's catalog is now loaded, empty

  auto writer = open_store(tmp_.path(), true);
  store_all(*writer, blobs);

  EXPECT_EQ(reader->download_blob(hex).value(), content);
  std::string streamed;
  std::function<Status(std::string_view)> append = [&](std::string_view piece) {
    streamed += piece;
    return ok();
  };
  codec::FunctionSink sink(append);
  ASSERT_TRUE(reader->download_blob_to(std::next(blobs.begin())->first, sink));
  EXPECT_EQ(streamed, std::next(blobs.begin())->second);
}

TEST_F(PackedStore, EncryptedEntriesDecodeIndexesStayReadableWithoutTheKey) {
  auto store = open_store(tmp_.path(), true, Encryption::kPghoa1);
  auto blobs = small_blobs(20);
  store_all(*store, blobs);
  // Entries of a later backup with its own data key (astdk1) land in a pack of their own.
  auto astdk1 = open_store(tmp_.path(), true, Encryption::kAstdk1);
  std::map<std::string, std::string> later;
  for (const auto& [hex, content] : small_blobs(30)) {
    if (!blobs.contains(hex)) later[hex] = content;
  }
  astdk1->rotate_data_key();
  store_all(*astdk1, later);
  for (const auto& [hex, content] : blobs) EXPECT_EQ(astdk1->download_blob(hex).value(), content);
  for (const auto& [hex, content] : later) EXPECT_EQ(store->download_blob(hex).value(), content);
  blobs.insert(later.begin(), later.end());
  // Listing needs no private key (a coordinator that only plans uploads).
  auto no_key = open_store(tmp_.path(), false);
  EXPECT_EQ(listed(*no_key).size(), blobs.size());
  auto read = no_key->download_blob(blobs.begin()->first);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("encrypted with key 'k'"), std::string::npos) << read.error().message;
}

TEST_F(PackedStore, SweepRemovesOnlyPacksNoKeptBlobIsIn) {
  auto store = open_store(tmp_.path(), true);
  auto first = small_blobs(60);
  store_all(*store, first);
  std::set<std::string> first_packs = files_in(pack_dir());
  std::map<std::string, std::string> second;
  for (const auto& [hex, content] : small_blobs(120)) {
    if (!first.contains(hex)) second[hex] = content;
  }
  store_all(*store, second);

  // Keep one blob of the first upload and all of the second.
  std::string kept_old = first.begin()->first;
  auto is_kept = [&](std::string_view hex) { return second.contains(std::string(hex)) || hex == kept_old; };
  auto swept = store->sweep_packs(is_kept).value();
  EXPECT_EQ(swept.failed, 0u);
  EXPECT_GE(swept.packs_removed, 1u);
  EXPECT_EQ(swept.blobs_removed + swept.unreferenced_kept, first.size() - 1);
  EXPECT_GE(swept.unreferenced_kept, 1u) << "the pack holding the kept blob keeps its neighbours";

  auto reader = open_store(tmp_.path(), false);
  std::set<std::string> names = listed(*reader);
  EXPECT_TRUE(names.contains(kept_old));
  EXPECT_EQ(reader->download_blob(kept_old).value(), first.at(kept_old));
  for (const auto& [hex, content] : second) EXPECT_EQ(reader->download_blob(hex).value(), content);
  size_t old_left = 0;
  for (const auto& [hex, content] : first) old_left += names.contains(hex) ? 1 : 0;
  EXPECT_EQ(old_left, 1 + swept.unreferenced_kept);
  for (const auto& name : files_in(pack_dir())) {
    std::string id = name.ends_with(".metadata") ? name.substr(0, name.size() - 9) : name;
    if (id.ends_with(".idx")) id.resize(id.size() - 4);
    EXPECT_TRUE(fs::exists(pack_dir() / id) && fs::exists(pack_dir() / (id + ".idx"))) << name << " left alone";
  }
  // Nothing kept: everything goes.
  auto all = store->sweep_packs([](std::string_view) { return false; }).value();
  EXPECT_EQ(all.packs_kept, 0u);
  EXPECT_TRUE(files_in(pack_dir()).empty());
  EXPECT_TRUE(listed(*open_store(tmp_.path(), false)).empty());
}

TEST_F(PackedStore, AnIndexWithoutItsPackCountsForNothingAndIsSwept) {
  auto store = open_store(tmp_.path(), true);
  auto blobs = small_blobs(10);
  store_all(*store, blobs);
  auto listing = pack::list_packs(store->backend()).value();
  ASSERT_EQ(listing.ids.size(), 1u);
  // A sweep that died after removing the pack.
  ASSERT_TRUE(store->backend().remove(pack::pack_key(listing.ids[0])));
  auto reader = open_store(tmp_.path(), false);
  EXPECT_TRUE(listed(*reader).empty());
  EXPECT_FALSE(reader->blob_exists(blobs.begin()->first).value());
  EXPECT_EQ(reader->download_blob(blobs.begin()->first).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(reader->sweep_packs([](std::string_view) { return true; }));
  EXPECT_TRUE(files_in(pack_dir()).empty()) << "the orphan index is removed";
}

// A corrupt index must not stop backups: its pack's blobs count as absent (and are stored again),
// the other packs stay readable, and cleanup leaves that pack alone and reports a failure.
TEST_F(PackedStore, ACorruptIndexCountsAsAbsentAndCleanupLeavesItsPack) {
  auto store = open_store(tmp_.path(), true);
  auto first = small_blobs(3);
  store_all(*store, first);
  std::string bad_id = pack::list_packs(store->backend()).value().ids.at(0);
  std::map<std::string, std::string> second;
  for (const auto& [hex, content] : small_blobs(6)) {
    if (!first.contains(hex)) second[hex] = content;
  }
  store_all(*store, second);
  ASSERT_TRUE(store->backend().put(pack::index_key(bad_id), "not an index", {}));

  auto reader = open_store(tmp_.path(), true);
  std::set<std::string> names = listed(*reader);
  for (const auto& [hex, content] : first) EXPECT_FALSE(names.contains(hex));
  for (const auto& [hex, content] : second) {
    EXPECT_TRUE(names.contains(hex));
    EXPECT_EQ(reader->download_blob(hex).value(), content);
  }
  EXPECT_EQ(reader->download_blob(first.begin()->first).error().code, ErrorCode::kNotFound);
  // A backup stores them again.
  store_all(*reader, first);
  EXPECT_EQ(reader->download_blob(first.begin()->first).value(), first.begin()->second);

  auto swept = reader->sweep_packs([](std::string_view) { return false; }).value();
  EXPECT_EQ(swept.failed, 1u);
  EXPECT_EQ(swept.packs_removed, 2u);
  EXPECT_TRUE(fs::exists(pack_dir() / bad_id)) << "what the corrupt index described is unknown: kept";
}

TEST_F(PackedStore, ATruncatedPackIsCorruptionNamingIt) {
  auto store = open_store(tmp_.path(), true);
  auto blobs = small_blobs(10);
  store_all(*store, blobs);
  std::string id = pack::list_packs(store->backend()).value().ids.at(0);
  fs::resize_file(pack_dir() / id, 100);
  auto reader = open_store(tmp_.path(), false);
  size_t corrupt = 0;
  for (const auto& [hex, content] : blobs) {
    auto read = reader->download_blob(hex);
    if (read) {
      EXPECT_EQ(*read, content);
      continue;
    }
    ++corrupt;
    EXPECT_EQ(read.error().code, ErrorCode::kCorruption) << read.error().message;
    EXPECT_NE(read.error().message.find("pack/" + id), std::string::npos) << read.error().message;
  }
  EXPECT_GE(corrupt, blobs.size() - 1);
}

TEST_F(PackedStore, WithoutPackingEveryBlobIsLooseAsInPythonAstacus) {
  auto store = open_store(tmp_.path(), false);
  auto blobs = small_blobs(5);
  store_all(*store, blobs);
  EXPECT_FALSE(fs::exists(pack_dir()));
  EXPECT_EQ(files_in(data_dir()).size(), 2 * blobs.size());
}

}  // namespace
}  // namespace astacus::storage

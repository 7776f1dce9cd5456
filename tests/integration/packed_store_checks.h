#pragma once
// Checks every cloud backend's integration tests run against their real (or stand-in) server:
// ranged reads, and an ObjectStore that packs small blobs (storage/pack/) writing, listing,
// reading back and sweeping packs there.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "codec/blake2s.h"
#include "storage/object_store.h"
#include "support/cluster.h"

namespace astacus::testing {

inline void check_get_range(storage::Backend& backend) {
  std::string data = random_bytes(100000, 3);
  ASSERT_TRUE(backend.put("pack/ranged", data, {{"astacus-format", "astpk1"}}));
  auto middle = backend.get_range("pack/ranged", 12345, 5000);
  ASSERT_TRUE(middle) << middle.error().message;
  EXPECT_EQ(*middle, data.substr(12345, 5000));
  EXPECT_EQ(backend.get_range("pack/ranged", 99999, 1).value(), data.substr(99999));
  EXPECT_EQ(backend.get_range("pack/ranged", 0, 0).value(), "");
  auto past = backend.get_range("pack/ranged", 99990, 20);
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().message.find("ranged"), std::string::npos) << past.error().message;
  auto missing = backend.get_range("pack/missing", 0, 10);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
}

/// `config` must name one site (its default) and compression; packing is switched on here.
inline void check_packed_round_trip(config::ObjectStorageConfig config) {
  config.pack_small_blobs = true;
  auto writer = storage::ObjectStore::open(config, "");
  ASSERT_TRUE(writer) << writer.error().message;
  std::map<std::string, std::string> blobs;
  for (uint64_t i = 0; i < 40; ++i) {
    std::string content = random_bytes(500 + i * 50, 100 + i);
    blobs[codec::blake2s_hex(content)] = content;
  }
  for (const auto& [hex, content] : blobs) ASSERT_TRUE((*writer)->upload_blob_data(hex, content));
  ASSERT_TRUE((*writer)->flush());
  auto packs = (*writer)->backend().list("pack");
  ASSERT_TRUE(packs) << packs.error().message;
  EXPECT_EQ(packs->size(), 2u) << "one pack and its index";
  EXPECT_TRUE((*writer)->backend().list("data").value().empty());

  config.pack_small_blobs = false;
  auto reader = storage::ObjectStore::open(config, "");
  ASSERT_TRUE(reader) << reader.error().message;
  auto names = (*reader)->list_hexdigests();
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(std::set<std::string>(names->begin(), names->end()).size(), blobs.size());
  for (const auto& [hex, content] : blobs) {
    auto read = (*reader)->download_blob(hex);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, content);
  }
  auto swept = (*reader)->sweep_packs([](std::string_view) { return false; });
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(swept->packs_removed, 1u);
  EXPECT_EQ(swept->blobs_removed, blobs.size());
  EXPECT_TRUE((*reader)->backend().list("pack").value().empty());
}

}  // namespace astacus::testing

#include "storage/local/local_backend.h"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "base/files.h"
#include "codec/sha256.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void write_raw(const fs::path& path, std::string_view data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

class LocalBackendTest : public ::testing::Test {
 protected:
  testing::TempDir tmp_;
  LocalBackend backend_{tmp_.path(), "/site-a/"};
  fs::path root() const { return tmp_.path() / "site-a"; }
};

TEST_F(LocalBackendTest, PutGetRoundTripWithMetadataInOrder) {
  Metadata md{{"encryption-key-id", "foo"}, {"compression-algorithm", "zstd"}};
  ASSERT_TRUE(backend_.put("data/abc", "stored bytes", md));
  auto obj = backend_.get("data/abc").value();
  EXPECT_EQ(obj.data, "stored bytes");
  EXPECT_EQ(obj.metadata, md);
  EXPECT_EQ(metadata_value(obj.metadata, "compression-algorithm"), "zstd");
  EXPECT_EQ(metadata_value(obj.metadata, "missing"), "");
  EXPECT_EQ(read_file(root() / "data" / "abc").value(), "stored bytes");
}

TEST_F(LocalBackendTest, SidecarBytesMatchRohmu) {
  ASSERT_TRUE(backend_.put("data/x", "zzz", {{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(read_file(root() / "data" / "x.metadata").value(),
            R"({"compression-algorithm": "zstd", "_hash": ")" + codec::sha256_hex("zzz") + R"("})");
}

TEST_F(LocalBackendTest, OverwriteReplacesDataAndMetadata) {
  ASSERT_TRUE(backend_.put("json/backup-2026-11-25T06:24:50+00:00", "v1", {{"a", "1"}}));
  ASSERT_TRUE(backend_.put("json/backup-2026-11-25T06:24:50+00:00", "v2-longer", {{"b", "2"}}));
  auto obj = backend_.get("json/backup-2026-11-25T06:24:50+00:00").value();
  EXPECT_EQ(obj.data, "v2-longer");
  EXPECT_EQ(obj.metadata, (Metadata{{"b", "2"}}));
  EXPECT_EQ(backend_.list("json").value(), std::vector<std::string>{"backup-2026-11-25T06:24:50+00:00"});
  // No temp files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(root() / "json"), fs::directory_iterator()), 2);
}

TEST_F(LocalBackendTest, EmptyObject) {
  ASSERT_TRUE(backend_.put("data/empty", "", {}));
  EXPECT_EQ(backend_.get("data/empty").value().data, "");
  EXPECT_TRUE(backend_.exists("data/empty").value());
}

TEST_F(LocalBackendTest, MissingObjectIsNotFoundNamingKey) {
  auto r = backend_.get("data/nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("data/nope"), std::string::npos);
  EXPECT_FALSE(backend_.exists("data/nope").value());
  EXPECT_EQ(backend_.remove("data/nope").error().code, ErrorCode::kNotFound);
}

TEST_F(LocalBackendTest, ObjectWithoutSidecarIsInvisible) {
  write_raw(root() / "data" / "orphan", "bytes");
  EXPECT_EQ(backend_.get("data/orphan").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(backend_.exists("data/orphan").value());
  EXPECT_TRUE(backend_.list("data").value().empty());
}

TEST_F(LocalBackendTest, LegacySidecarWithoutHashIsReadable) {
  write_raw(root() / "data" / "old", "legacy");
  write_raw(root() / "data" / "old.metadata", R"({"compression-algorithm": "snappy"})");
  auto obj = backend_.get("data/old").value();
  EXPECT_EQ(obj.data, "legacy");
  EXPECT_EQ(obj.metadata, (Metadata{{"compression-algorithm", "snappy"}}));
}

TEST_F(LocalBackendTest, HashMismatchIsCorruptionNamingKey) {
  ASSERT_TRUE(backend_.put("data/h", "original", {}));
  write_raw(root() / "data" / "h", "tampered");
  auto r = backend_.get("data/h");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("data/h"), std::string::npos);
}

TEST_F(LocalBackendTest, ListingHidesReservedNames) {
  ASSERT_TRUE(backend_.put("data/visible", "1", {}));
  // rohmu's test_object_storage hidden-file rules.
  write_raw(root() / "data" / ".null", "");
  write_raw(root() / "data" / ".null.metadata", R"({"k": "v", "_hash": ""})");
  write_raw(root() / "data" / "x.metadata_tmp", "{}");
  write_raw(root() / "data" / "yabc123.metadata_tmp", "{}");
  write_raw(root() / "data" / "stray.metadata", "{}");
  write_raw(root() / "data" / "no-sidecar", "2");
  fs::create_directories(root() / "data" / "subdir");
  write_raw(root() / "data" / "subdir.metadata", "{}");
  ASSERT_TRUE(backend_.put("data-old/other", "3", {}));
  EXPECT_EQ(sorted(backend_.list("data").value()), std::vector<std::string>{"visible"});
  EXPECT_EQ(sorted(backend_.list("/data/").value()), std::vector<std::string>{"visible"});
  EXPECT_TRUE(backend_.list("absent").value().empty());
}

TEST_F(LocalBackendTest, ListEachHandsOnEachObjectWithBothHalvesOnce) {
  std::vector<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    expected.push_back(fmt::format("obj{:03}", i));
    ASSERT_TRUE(backend_.put("data/" + expected.back(), "x", {}));
  }
  for (int i = 0; i < 50; ++i) {
    write_raw(root() / "data" / fmt::format("data-only{}", i), "2");
    write_raw(root() / "data" / fmt::format("sidecar-only{}.metadata", i), "{}");
  }
  std::vector<std::string> seen;
  ASSERT_TRUE(backend_.list_each("data", [&](std::string_view name) { seen.emplace_back(name); }));
  EXPECT_EQ(sorted(seen), expected);  // sorted: each exactly once
  EXPECT_EQ(sorted(backend_.list("data").value()), expected);
  EXPECT_FALSE(backend_.list_each("../x", [](std::string_view) {}));
}

TEST_F(LocalBackendTest, ReservedKeysAreRefused) {
  for (std::string key :
       {"data/.hidden", "data/x.metadata", "data/x.metadata_tmp1", "data/a.metadata_tmpb"}) {
    auto st = backend_.put(key, "x", {});
    ASSERT_FALSE(st) << key;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(backend_.put("data/x", "x", {{"_hash", "forged"}}).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(LocalBackendTest, KeysEscapingTheRootAreRefused) {
  for (std::string key : {"../outside", "data/../../outside", "data/./x", "a//b", "", "/", "data/.."}) {
    auto st = backend_.put(key, "x", {});
    ASSERT_FALSE(st) << key;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << key;
    EXPECT_FALSE(backend_.get(key)) << key;
    EXPECT_FALSE(backend_.exists(key)) << key;
    EXPECT_FALSE(backend_.remove(key)) << key;
  }
  EXPECT_FALSE(backend_.list("../x"));
  EXPECT_FALSE(fs::exists(tmp_.path() / "outside"));
  EXPECT_FALSE(fs::exists(tmp_.path().parent_path() / "outside"));
}

TEST_F(LocalBackendTest, SurroundingSlashesAreStrippedLikeRohmu) {
  ASSERT_TRUE(backend_.put("/data/s/", "x", {}));
  EXPECT_EQ(backend_.get("data/s").value().data, "x");
}

TEST_F(LocalBackendTest, RemoveDeletesFileSidecarAndLeftoverTmp) {
  ASSERT_TRUE(backend_.put("data/r", "x", {}));
  write_raw(root() / "data" / "r.metadata_tmp", "{}");
  ASSERT_TRUE(backend_.remove("data/r"));
  EXPECT_FALSE(fs::exists(root() / "data" / "r"));
  EXPECT_FALSE(fs::exists(root() / "data" / "r.metadata"));
  EXPECT_FALSE(fs::exists(root() / "data" / "r.metadata_tmp"));
  EXPECT_EQ(backend_.remove("data/r").error().code, ErrorCode::kNotFound);
}

TEST_F(LocalBackendTest, UnsafePrefixFailsEveryOperation) {
  LocalBackend bad(tmp_.path(), "../escape");
  EXPECT_EQ(bad.put("data/x", "x", {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(bad.list("data"));
  EXPECT_FALSE(fs::exists(tmp_.path().parent_path() / "escape"));
}

TEST_F(LocalBackendTest, EmptyPrefixUsesDirectory) {
  LocalBackend plain(tmp_.path(), "");
  ASSERT_TRUE(plain.put("data/p", "x", {}));
  EXPECT_TRUE(fs::exists(tmp_.path() / "data" / "p.metadata"));
  EXPECT_NE(plain.describe().find(tmp_.path().string()), std::string::npos);
}

TEST_F(LocalBackendTest, ConcurrentPutsOfOneKeyLeaveAConsistentObject) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string data(100 + t, static_cast<char>('a' + t));
        ASSERT_TRUE(backend_.put("data/race", data, {{"writer", std::to_string(t)}}));
        auto got = backend_.get("data/race");
        if (got) {
          EXPECT_EQ(got->data.size(), 100u + std::stoul(metadata_value(got->metadata, "writer")));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  auto obj = backend_.get("data/race").value();
  EXPECT_EQ(obj.data.size(), 100u + std::stoul(metadata_value(obj.metadata, "writer")));
}

size_t entries(const fs::path& dir) {
  return fs::exists(dir) ? static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator())) : 0;
}

size_t regular_files_below(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

TEST_F(LocalBackendTest, BatchedPutsBecomeVisibleOnlyAtFlushWithRohmuSidecars) {
  ASSERT_TRUE(backend_.put_batched("data/a", "aaa", {{"compression-algorithm", "zstd"}}));
  ASSERT_TRUE(backend_.put_batched("data/b", "bb", {}));
  EXPECT_TRUE(backend_.list("data").value().empty()) << "nothing is visible before the flush";
  EXPECT_FALSE(backend_.exists("data/a").value());
  ASSERT_TRUE(backend_.flush());
  auto names = backend_.list("data").value();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(backend_.get("data/a").value().data, "aaa");
  EXPECT_EQ(read_file(root() / "data" / "a.metadata").value(),
            R"({"compression-algorithm": "zstd", "_hash": ")" + codec::sha256_hex("aaa") + R"("})");
  EXPECT_EQ(entries(root() / "data"), 4u) << "two objects and two sidecars, no temp files";
  EXPECT_TRUE(backend_.flush()) << "an empty flush is fine";
}

TEST_F(LocalBackendTest, RemovingABatchedObjectDropsItAndAnUnflushedBatchLeavesNoFiles) {
  ASSERT_TRUE(backend_.put_batched("data/gone", "x", {}));
  EXPECT_TRUE(backend_.remove("data/gone")) << "a pending object can be removed";
  ASSERT_TRUE(backend_.flush());
  EXPECT_FALSE(backend_.exists("data/gone").value());
  {
    LocalBackend other(tmp_.path(), "/site-b/");
    ASSERT_TRUE(other.put_batched("data/never", "y", {}));
    EXPECT_EQ(regular_files_below(tmp_.path() / "site-b"), 2u) << "data and sidecar temps";
    EXPECT_EQ(entries(tmp_.path() / "site-b" / "data"), 0u) << "temps live outside data/";
    EXPECT_TRUE(other.list("").value().empty()) << "the temp directory is never listed";
  }
  EXPECT_EQ(regular_files_below(tmp_.path() / "site-b"), 0u) << "the destructor removes unflushed temps";
}

TEST_F(LocalBackendTest, ANewerPutOfABatchedKeyWins) {
  ASSERT_TRUE(backend_.put_batched("data/k", "old", {}));
  ASSERT_TRUE(backend_.put("data/k", "new", {}));
  ASSERT_TRUE(backend_.flush());
  EXPECT_EQ(backend_.get("data/k").value().data, "new");
  EXPECT_EQ(entries(root() / "data"), 2u);
}

// A full batch is published by a background thread while puts go on.
constexpr int kFullBatch = 50;

TEST_F(LocalBackendTest, AFullBatchIsPublishedWhilePutsGoOnAndFlushPublishesTheRest) {
  LocalBackend backend_(tmp_.path(), "/site-a/", {.objects = kFullBatch});
  for (int i = 0; i < kFullBatch; ++i) {
    ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), std::to_string(i), {}));
  }
  // The full batch becomes visible without a flush (polled: it is published by another thread).
  for (int wait = 0; wait < 500 && backend_.list("data").value().size() < size_t{kFullBatch}; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(backend_.list("data").value().size(), size_t{kFullBatch});
  for (int i = kFullBatch; i < 2 * kFullBatch + 3; ++i) {
    ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), std::to_string(i), {}));
  }
  for (int i = 0; i < kFullBatch + 3; ++i) {
    ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), std::to_string(i), {}));
  }
  ASSERT_TRUE(backend_.flush());
  EXPECT_EQ(backend_.list("data").value().size(), size_t{2 * kFullBatch + 3});
  EXPECT_EQ(backend_.get("data/o0").value().data, "0");
  EXPECT_EQ(backend_.get(fmt::format("data/o{}", 2 * kFullBatch + 2)).value().data, std::to_string(2 * kFullBatch + 2));
  EXPECT_EQ(regular_files_below(root() / ".astacus-tmp"), 0u) << "no temp is left";
}

TEST_F(LocalBackendTest, AnIdlePublisherTakesASmallBatchEarlySoFlushHasLessLeft) {
  LocalBackend backend_(tmp_.path(), "/site-a/", {.objects = 1000, .eager_objects = 5});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), "x", {}));
  // Published by the background thread, long before the batch of 1000 is full.
  for (int wait = 0; wait < 500 && backend_.list("data").value().size() < 5; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(backend_.list("data").value().size(), 5u);
  for (int i = 5; i < 8; ++i) ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), "y", {}));
  ASSERT_TRUE(backend_.flush());
  EXPECT_EQ(backend_.list("data").value().size(), 8u);
  EXPECT_EQ(backend_.get("data/o7").value().data, "y");
  EXPECT_EQ(regular_files_below(root() / ".astacus-tmp"), 0u) << "no temp is left";
}

TEST_F(LocalBackendTest, ABatchedPutOverAStoredObjectReplacesDataAndSidecarTogether) {
  ASSERT_TRUE(backend_.put("data/k", "old bytes", {{"compression-algorithm", "snappy"}}));
  ASSERT_TRUE(backend_.put_batched("data/k", "new", {{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(backend_.get("data/k").value().data, "old bytes") << "the old object stands until the flush";
  ASSERT_TRUE(backend_.flush());
  auto object = backend_.get("data/k").value();
  EXPECT_EQ(object.data, "new");
  EXPECT_EQ(object.metadata, (Metadata{{"compression-algorithm", "zstd"}}));
  EXPECT_EQ(entries(root() / "data"), 2u);
}

TEST_F(LocalBackendTest, AFailedBackgroundBatchIsReportedByFlushAndLeavesNoTemps) {
  LocalBackend backend_(tmp_.path(), "/site-a/", {.objects = kFullBatch});
  write_raw(root() / "data", "a file where the data directory should be");
  for (int i = 0; i < kFullBatch + 1; ++i) {
    ASSERT_TRUE(backend_.put_batched(fmt::format("data/o{}", i), "x", {}));
  }
  auto flushed = backend_.flush();
  ASSERT_FALSE(flushed);
  EXPECT_NE(flushed.error().message.find("flushing 50 objects"), std::string::npos) << flushed.error().message;
  EXPECT_NE(flushed.error().message.find("data/o"), std::string::npos) << flushed.error().message;
  EXPECT_EQ(regular_files_below(root() / ".astacus-tmp"), 0u) << "the temps of failed renames are removed";
}


// A crashed writer's batched temps are swept by age; a live batch's fresh temps are not.
TEST_F(LocalBackendTest, StaleTempsOfACrashedWriterAreRemovedAndFreshOnesKept) {
  fs::path crashed = root() / ".astacus-tmp" / "7" / ".deadbeef.0123456789abcdef.tmp";
  fs::path crashed_sidecar = root() / ".astacus-tmp" / "3" / "deadbeef0123456789abcdef.metadata_tmp";
  write_raw(crashed, std::string(4096, 'x'));
  write_raw(crashed_sidecar, "{}");
  auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(crashed, two_hours_ago);
  fs::last_write_time(crashed_sidecar, two_hours_ago);
  ASSERT_TRUE(backend_.put_batched("data/live", "pending bytes", {}));  // its temps are fresh

  auto removed = backend_.remove_stale_temps(std::chrono::hours(1));
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 2u);
  EXPECT_FALSE(fs::exists(crashed));
  EXPECT_FALSE(fs::exists(crashed_sidecar));
  ASSERT_TRUE(backend_.flush());
  EXPECT_EQ(backend_.get("data/live").value().data, "pending bytes") << "the live batch kept its temps";
  EXPECT_EQ(backend_.remove_stale_temps(std::chrono::hours(1)).value(), 0u);
}

TEST_F(LocalBackendTest, NoTempDirectoryMeansNothingToSweep) {
  auto removed = backend_.remove_stale_temps(std::chrono::hours(1));
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 0u);
}

}  // namespace
}  // namespace astacus::storage

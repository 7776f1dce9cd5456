// Snapshotter::snapshot with a ContentSink: which files it is offered, with which bytes.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "base/files.h"
#include "snapshot/file_digest.h"
#include "snapshot/tests/snapshotter_fixture.h"

namespace astacus::snapshot {
namespace {

int64_t an_hour_ago_ns() { return wall_clock_ns() - int64_t{3600} * 1'000'000'000; }

// What a sink was offered: bytes by hexdigest.
struct Offered {
  std::mutex mu;
  std::map<std::string, std::string> bytes;
  ContentSink sink(int64_t max_bytes) {
    return ContentSink{max_bytes, [this](const std::string& hexdigest, std::string_view data) {
                         std::lock_guard lock(mu);
                         bytes[hexdigest] = std::string(data);
                       }};
  }
};

TEST_F(SnapshotterTest, ContentSinkGetsTheHashedBytesOfSmallSettledFilesOnly) {
  const std::vector<SnapshotGroup> groups{{"**", {}, 100}};  // up to 100 bytes embedded
  write("tiny", "embedded, not hashed");
  write("small-1", std::string(3000, 'a'));
  write("small-2", std::string(4096, 'b'));
  write("big", std::string(5000, 'c'));
  write("fresh", std::string(2000, 'd'));  // mtime now: may still be being written
  for (const char* rel : {"tiny", "small-1", "small-2", "big"}) set_mtime_ns(rel, an_hour_ago_ns());
  open(2);
  Offered offered;
  ContentSink sink = offered.sink(4096);
  auto files = snap_->snapshot(groups, {}, {}, &sink);
  ASSERT_TRUE(files) << files.error().to_string();

  std::map<std::string, std::string> digest_of;
  for (const auto& f : *files) digest_of[f.relative_path] = f.hexdigest;
  EXPECT_EQ(offered.bytes.size(), 2u);
  EXPECT_EQ(offered.bytes[digest_of["small-1"]], std::string(3000, 'a'));
  EXPECT_EQ(offered.bytes[digest_of["small-2"]], std::string(4096, 'b'));
  for (const auto& [hexdigest, data] : offered.bytes) EXPECT_EQ(internal::blake2s_hex(data).value(), hexdigest);
  EXPECT_FALSE(offered.bytes.count(digest_of["big"])) << "over max_bytes";
  EXPECT_FALSE(offered.bytes.count(digest_of["fresh"])) << "mtime not settled";
}

TEST_F(SnapshotterTest, ContentSinkIsOfferedOnlyWhatASnapshotReads) {
  write("a", std::string(3000, 'a'));
  set_mtime_ns("a", an_hour_ago_ns());
  open();
  Offered first;
  ContentSink sink = first.sink(1 << 20);
  ASSERT_TRUE(snap_->snapshot(all_, {}, {}, &sink));
  EXPECT_EQ(first.bytes.size(), 1u);

  write("b", std::string(3000, 'b'));
  set_mtime_ns("b", an_hour_ago_ns());
  Offered second;
  sink = second.sink(1 << 20);
  auto files = snap_->snapshot(all_, {}, {}, &sink);
  ASSERT_TRUE(files);
  ASSERT_EQ(second.bytes.size(), 1u) << "the unchanged file is not read again";
  EXPECT_EQ(second.bytes.begin()->second, std::string(3000, 'b'));
}

}  // namespace
}  // namespace astacus::snapshot

#include "storage/traffic.h"

#include <gtest/gtest.h>

#include "storage/local/local_backend.h"
#include "storage/tests/temp_dir.h"

namespace astacus::storage {
namespace {

TEST(CountingBackend, CountsEachKindOfRequestAndTheBytesMoved) {
  testing::TempDir tmp;
  CountingBackend backend(std::make_unique<LocalBackend>(tmp.path(), ""));
  ASSERT_TRUE(backend.put("data/a", "12345", {{"compression-algorithm", "zstd"}}));
  ASSERT_TRUE(backend.put("data/b", "xyz", {}));
  ASSERT_TRUE(backend.get("data/a"));
  EXPECT_FALSE(backend.get("data/missing"));
  ASSERT_TRUE(backend.exists("data/b"));
  ASSERT_TRUE(backend.list("data"));
  ASSERT_TRUE(backend.remove("data/b"));

  Traffic t = backend.traffic();
  EXPECT_EQ(t.put_requests, 2);
  EXPECT_EQ(t.get_requests, 3) << "two reads (one failed) and one existence check";
  EXPECT_EQ(t.list_requests, 1);
  EXPECT_EQ(t.delete_requests, 1);
  EXPECT_EQ(t.bytes_uploaded, 8);
  EXPECT_EQ(t.bytes_downloaded, 5) << "only the read that returned data moved bytes";
}

TEST(Traffic, DifferenceAndJsonRoundTrip) {
  Traffic before{1, 2, 3, 4, 50, 60};
  Traffic after{2, 4, 3, 5, 150, 61};
  Traffic delta = after - before;
  EXPECT_EQ(delta, (Traffic{1, 2, 0, 1, 100, 1}));
  nlohmann::json j = delta;
  EXPECT_EQ(j["bytes_uploaded"], 100);
  EXPECT_EQ(traffic_from_json(j), delta);
  EXPECT_EQ(traffic_from_json(nlohmann::json{{"put_requests", "x"}}), Traffic{});
}

TEST(TrafficTally, SumsPerSiteAndSkipsEmptyTraffic) {
  TrafficTally tally;
  tally.add("old", Traffic{1, 0, 0, 0, 10, 0});
  tally.add_json(nlohmann::json{{"old", {{"put_requests", 2}, {"bytes_uploaded", 5}}},
                                {"new", {{"get_requests", 7}}}});
  tally.add("unused", Traffic{});
  tally.add_json(nlohmann::json("not an object"));
  auto sites = tally.sites();
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites["old"], (Traffic{3, 0, 0, 0, 15, 0}));
  EXPECT_EQ(sites["new"].get_requests, 7);
  EXPECT_EQ(tally.to_json()["old"]["put_requests"], 3);
}

}  // namespace
}  // namespace astacus::storage

// HalfSeenNames: the local listing's pairing of data files and sidecars, for blob names (kept
// as bytes) and any other names alike.
#include "storage/local/half_seen.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace astacus::storage::local {
namespace {

TEST(HalfSeenNames, CompletesEachObjectOnceBothHalvesAreSeenInAnyOrder) {
  std::mt19937_64 rng(3);
  std::vector<std::string> objects;
  for (int i = 0; i < 300; ++i) {
    std::string digest = fmt::format("{:016x}{:016x}{:016x}{:016x}", rng(), rng(), rng(), rng());
    objects.push_back(digest);
  }
  objects.push_back(std::string(64, '0'));                        // a digest of zero bytes
  objects.push_back(std::string(63, 'a') + "A");                  // upper case: not kept as bytes
  objects.push_back(std::string(63, 'a') + "g");                  // not hex
  objects.push_back("backup-2026-11-25T06:24:50+00:00");          // a manifest
  objects.push_back(std::string(65, 'b'));                        // too long for a digest
  // Every object gets its data file; two in three also their sidecar.
  std::vector<std::pair<std::string, bool>> halves;
  std::map<std::string, bool> whole;
  for (size_t i = 0; i < objects.size(); ++i) {
    halves.emplace_back(objects[i], false);
    bool with_sidecar = i % 3 != 0 || i >= 300;
    if (with_sidecar) halves.emplace_back(objects[i], true);
    whole[objects[i]] = with_sidecar;
  }
  for (int round = 0; round < 5; ++round) {
    std::shuffle(halves.begin(), halves.end(), rng);
    HalfSeenNames waiting;
    std::map<std::string, int> completed;
    for (const auto& [object, sidecar] : halves) {
      if (waiting.complete(object, sidecar)) ++completed[object];
    }
    size_t incomplete = 0;
    for (const auto& [object, is_whole] : whole) {
      EXPECT_EQ(completed[object], is_whole ? 1 : 0) << object;
      incomplete += is_whole ? 0 : 1;
    }
    EXPECT_EQ(waiting.size(), incomplete);
  }
}

TEST(HalfSeenNames, TheSameHalfTwiceDoesNotComplete) {
  const std::string digest(64, 'c');
  HalfSeenNames waiting;
  EXPECT_FALSE(waiting.complete(digest, true));
  EXPECT_FALSE(waiting.complete(digest, true));
  EXPECT_TRUE(waiting.complete(digest, false));
  EXPECT_EQ(waiting.size(), 0u);
  EXPECT_FALSE(waiting.complete("name", false));
  EXPECT_FALSE(waiting.complete("name", false));
  EXPECT_TRUE(waiting.complete("name", true));
}

}  // namespace
}  // namespace astacus::storage::local

// HexdigestIndex: dense numbers for distinct blob names.
#include "coordinator/hexdigest_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include <fmt/format.h>

namespace astacus::coordinator {
namespace {

std::string random_digest(std::mt19937_64& rng) {
  return fmt::format("{:016x}{:016x}{:016x}{:016x}", rng(), rng(), rng(), rng());
}

TEST(HexdigestIndex, NumbersDistinctNamesInTheOrderFirstSeenWhileItGrows) {
  std::mt19937_64 rng(3);
  HexdigestIndex index;
  std::map<std::string, uint32_t> expected;
  std::vector<std::string> names;
  for (int i = 0; i < 4000; ++i) {
    // Repeats, the zero digest, an empty name and non-canonical ones among the canonical.
    std::string name = i % 5 == 0 && !names.empty() ? names[rng() % names.size()]
                       : i == 7                     ? std::string(64, '0')
                       : i == 11                    ? std::string()
                       : i % 97 == 0                ? fmt::format("Not-Canonical-{}", i)
                                                    : random_digest(rng);
    names.push_back(name);
    auto [it, added] = expected.try_emplace(name, static_cast<uint32_t>(expected.size()));
    ASSERT_EQ(index.add(manifest::Hexdigest(name)), it->second) << i << " " << name;
    ASSERT_EQ(index.size(), expected.size());
    const std::string& earlier = names[i / 2];
    ASSERT_EQ(index.find(manifest::Hexdigest(earlier)), expected.at(earlier)) << i;
  }
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(index.find(manifest::Hexdigest(random_digest(rng))));
  EXPECT_FALSE(index.find(manifest::Hexdigest("Other-Made-Up")));
  EXPECT_FALSE(HexdigestIndex{}.find(manifest::Hexdigest(std::string(64, '0'))));
}

}  // namespace
}  // namespace astacus::coordinator

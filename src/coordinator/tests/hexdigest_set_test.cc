// HexdigestSet: storage's blob names for the upload plan, as an open-addressing table.
#include "coordinator/hexdigest_set.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include <fmt/format.h>

namespace astacus::coordinator {
namespace {

std::string random_digest(std::mt19937_64& rng) {
  return fmt::format("{:016x}{:016x}{:016x}{:016x}", rng(), rng(), rng(), rng());
}

TEST(HexdigestSet, FindsWhatWasInsertedAndNothingElse) {
  std::mt19937_64 rng(5);
  std::vector<std::string> in;
  for (int i = 0; i < 5000; ++i) in.push_back(random_digest(rng));
  HexdigestSet set;
  set.insert(in.begin(), in.end());
  set.insert(in.begin(), in.begin() + 100);  // repeats count once
  EXPECT_EQ(set.size(), in.size());
  for (const auto& d : in) EXPECT_EQ(set.count(manifest::Hexdigest(d)), 1u) << d;
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(set.count(manifest::Hexdigest(random_digest(rng))), 0u);
}

TEST(HexdigestSet, SeesEachNameAsSoonAsItIsInsertedWhileItGrows) {
  std::mt19937_64 rng(9);
  HexdigestSet set;
  std::vector<std::string> in;
  for (int i = 0; i < 3000; ++i) {
    in.push_back(random_digest(rng));
    set.insert(manifest::Hexdigest(in.back()));
    ASSERT_EQ(set.count(manifest::Hexdigest(in.back())), 1u) << i;
    ASSERT_EQ(set.count(manifest::Hexdigest(in[i / 2])), 1u) << i;  // earlier ones survive growth
    ASSERT_EQ(set.size(), in.size());
  }
}

TEST(HexdigestSet, ReserveKeepsTheNamesAlreadyIn) {
  std::mt19937_64 rng(11);
  HexdigestSet set;
  std::vector<std::string> in;
  for (int i = 0; i < 100; ++i) in.push_back(random_digest(rng));
  set.reserve(10);  // smaller than what follows: growth still works
  set.insert(in.begin(), in.end());
  set.reserve(50000);  // rehashes the 100 into a bigger table
  set.reserve(20);     // never shrinks
  for (int i = 0; i < 4000; ++i) in.push_back(random_digest(rng));
  set.insert(in.begin() + 100, in.end());
  EXPECT_EQ(set.size(), in.size());
  for (const auto& d : in) ASSERT_EQ(set.count(manifest::Hexdigest(d)), 1u) << d;
  EXPECT_EQ(set.count(manifest::Hexdigest(random_digest(rng))), 0u);
}

TEST(HexdigestSet, KeepsTheZeroDigestAndNonCanonicalNames) {
  const std::string zero(64, '0');
  HexdigestSet set{"made-up", "ABC", manifest::Hexdigest(zero)};
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.count("made-up"), 1u);
  EXPECT_EQ(set.count("ABC"), 1u);
  EXPECT_EQ(set.count("abc"), 0u);
  EXPECT_EQ(set.count(manifest::Hexdigest(zero)), 1u);
  EXPECT_EQ(set.count(manifest::Hexdigest(std::string(63, '0') + "1")), 0u);
  EXPECT_EQ(HexdigestSet{}.count("made-up"), 0u);
  EXPECT_EQ(HexdigestSet{}.count(manifest::Hexdigest(zero)), 0u);
}

}  // namespace
}  // namespace astacus::coordinator

#include <gtest/gtest.h>

#include "manifest/progress.h"

namespace astacus::manifest {
namespace {

TEST(Progress, MergeSumsAndAndsFinal) {
  Progress merged = Progress::merge({{1, 0, 2, true}, {3, 1, 4, false}});
  EXPECT_EQ(merged.handled, 4);
  EXPECT_EQ(merged.failed, 1);
  EXPECT_EQ(merged.total, 6);
  EXPECT_FALSE(merged.final);
  EXPECT_TRUE(Progress::merge({{1, 0, 1, true}, {2, 0, 2, true}}).finished_successfully());
  Progress empty = Progress::merge({});
  EXPECT_TRUE(empty.final);
  EXPECT_TRUE(empty.finished_successfully());
}

TEST(Progress, SuccessAndFailure) {
  EXPECT_TRUE((Progress{2, 0, 2, true}).finished_successfully());
  EXPECT_FALSE((Progress{2, 0, 2, false}).finished_successfully());
  EXPECT_TRUE((Progress{1, 0, 2, true}).finished_failed());
  EXPECT_TRUE((Progress{2, 1, 2, true}).finished_failed());
  EXPECT_FALSE((Progress{1, 1, 2, false}).finished_failed());
  EXPECT_EQ(to_string(Progress{1, 2, 3, true}), "1/3 handled, 2 failures, finished");
  EXPECT_EQ(to_string(Progress{}), "0/0 handled, 0 failures");
}

TEST(Progress, IncreaseWorthReporting) {  // spec §8.3 examples
  EXPECT_TRUE(increase_worth_reporting(0, 1));
  EXPECT_TRUE(increase_worth_reporting(8, 9));
  EXPECT_TRUE(increase_worth_reporting(16674, 16675));
  EXPECT_FALSE(increase_worth_reporting(16675, 18340));
  EXPECT_TRUE(increase_worth_reporting(999, 1000, 100000));
  EXPECT_FALSE(increase_worth_reporting(1000, 1999, 100000));
  EXPECT_TRUE(increase_worth_reporting(1999, 2000, 100000));
  EXPECT_TRUE(increase_worth_reporting(5, 6, 100));
  EXPECT_TRUE(increase_worth_reporting(99990, 100000, 100000));
}

}  // namespace
}  // namespace astacus::manifest

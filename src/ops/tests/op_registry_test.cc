#include "ops/op_registry.h"

#include <gtest/gtest.h>

namespace astacus::ops {
namespace {

TEST(OpRegistry, OnlyCurrentOpIsFound) {
  OpRegistry ops;
  auto first = ops.start("backup");
  EXPECT_EQ(first.id, 1);
  EXPECT_TRUE(ops.find("backup", 1));
  EXPECT_FALSE(ops.find("restore", 1));
  EXPECT_EQ(ops.consume_id(), 2);
  auto second = ops.start("restore");
  EXPECT_EQ(second.id, 3);
  EXPECT_FALSE(ops.find("backup", 1));
  EXPECT_FALSE(ops.is_current(1));
}

TEST(OpRegistry, DoneOnlyFromRunningAndBusyTracksState) {
  OpRegistry ops;
  EXPECT_FALSE(ops.busy());
  auto op = ops.start("backup");
  EXPECT_TRUE(ops.busy());
  ops.set_state(op.id, OpState::kDone);  // starting -> done is refused
  EXPECT_EQ(ops.find("backup", op.id)->state, OpState::kStarting);
  ops.set_state(op.id, OpState::kRunning);
  ops.set_state(op.id, OpState::kDone);
  EXPECT_EQ(ops.find("backup", op.id)->state, OpState::kDone);
  EXPECT_FALSE(ops.busy());
}

}  // namespace
}  // namespace astacus::ops

// The cluster lock against real nodes: it stays held past its TTL while the op runs (relock
// loop), is released when the op ends, and is reported lost when a node restarts.
#include <gtest/gtest.h>

#include <thread>

#include "coordinator/cluster_lock.h"
#include "helpers.h"
#include "http/client.h"

namespace astacus::testing {
namespace {

using namespace std::chrono_literals;

coordinator::Cluster make_cluster(TestCluster& cluster) {
  std::vector<config::CoordinatorNode> nodes;
  for (size_t i = 0; i < cluster.size(); ++i) nodes.push_back({cluster.url(i) + "/node", ""});
  return coordinator::Cluster(nodes, config::PollConfig{});
}

int lock_status(TestCluster& cluster, size_t i, const std::string& locker) {
  auto r = http::request("POST", cluster.url(i) + "/node/lock?locker=" + locker + "&ttl=60");
  EXPECT_TRUE(r);
  if (r && r->status == 200) {
    ignore_error(http::request("POST", cluster.url(i) + "/node/unlock?locker=" + locker), "test");
  }
  return r ? r->status : 0;
}

TEST(SystemClusterLock, RelockKeepsNodesLockedPastTheTtlAndReleaseUnlocks) {
  TestCluster cluster({.nodes = 2});
  cluster.start();
  auto nodes = make_cluster(cluster);
  {
    auto lock = coordinator::ClusterLock::acquire(nodes, "op-1", 1);
    ASSERT_TRUE(lock) << lock.error().message;
    std::this_thread::sleep_for(2500ms);  // 2.5 TTLs
    EXPECT_FALSE((*lock)->lost());
    EXPECT_EQ(lock_status(cluster, 0, "intruder"), 409);
    EXPECT_EQ(lock_status(cluster, 1, "intruder"), 409);
  }
  EXPECT_EQ(lock_status(cluster, 0, "intruder"), 200);
  EXPECT_EQ(lock_status(cluster, 1, "intruder"), 200);
}

TEST(SystemClusterLock, LockIsLostWhenANodeRestarts) {
  TestCluster cluster({.nodes = 2});
  cluster.start();
  auto nodes = make_cluster(cluster);
  auto lock = coordinator::ClusterLock::acquire(nodes, "op-2", 1);
  ASSERT_TRUE(lock);
  cluster.stop_node(1);
  cluster.start_node(1);  // forgets the lock: the next relock is refused (409 Not locked)
  for (int i = 0; i < 40 && !(*lock)->lost(); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_TRUE((*lock)->lost());
}

TEST(SystemClusterLock, AcquireFailsNamingTheLockedNodeAndReleasesTheOthers) {
  TestCluster cluster({.nodes = 3});
  cluster.start();
  auto r = http::request("POST", cluster.url(2) + "/node/lock?locker=other&ttl=60");
  ASSERT_TRUE(r && r->status == 200);
  auto nodes = make_cluster(cluster);
  auto lock = coordinator::ClusterLock::acquire(nodes, "op-3", 60);
  ASSERT_FALSE(lock);
  EXPECT_NE(lock.error().message.find(cluster.url(2)), std::string::npos) << lock.error().message;
  EXPECT_EQ(lock_status(cluster, 0, "intruder"), 200);
  EXPECT_EQ(lock_status(cluster, 1, "intruder"), 200);
}

}  // namespace
}  // namespace astacus::testing

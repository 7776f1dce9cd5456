// M3 placement decode -> rewrite -> encode, against placements written with M3's full schema.
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "m3_fixture.h"
#include "plugins/m3db/placement.h"

namespace astacus::plugins::m3db {
namespace {

namespace m3 = testing::m3;
using google::protobuf::util::MessageDifferencer;

std::vector<m3::InstanceSpec> three_nodes() {
  return {{"m3db-a", "rack-a", "10.0.0.1:9000", "host-a", 9000},
          {"m3db-b", "rack-b", "10.0.0.2:9000", "host-b", 9001},
          {"m3db-c", "rack-c", "10.0.0.3:9000", "host-c", 9002}};
}

NodeReplacement move(std::string src, std::string id, std::string az = "") {
  return {std::move(src), {id, id + ".new:9000", id + ".host"}, std::move(az)};
}

TEST(M3Placement, RewriteChangesIdKeyEndpointHostnameAndIsolationGroupOnly) {
  auto original = m3::make_placement(three_nodes());
  auto rewritten = rewrite_placement(m3::encode(original), {move("m3db-a", "new-a", "zone-1"),
                                                            move("m3db-b", "new-b", "zone-2"),
                                                            move("m3db-c", "new-c", "zone-3")});
  ASSERT_TRUE(rewritten) << rewritten.error().to_string();
  auto after = m3::decode(*rewritten);
  ASSERT_EQ(after.instances_size(), 3);
  std::vector<std::pair<std::string, std::string>> moves = {
      {"m3db-a", "new-a"}, {"m3db-b", "new-b"}, {"m3db-c", "new-c"}};
  for (size_t i = 0; i < moves.size(); ++i) {
    const auto& [src, dst] = moves[i];
    ASSERT_TRUE(after.instances().count(dst)) << dst;
    EXPECT_FALSE(after.instances().count(src)) << src;
    auto got = after.instances().at(dst);
    auto expected = original.instances().at(src);
    expected.set_id(dst);
    expected.set_endpoint(dst + ".new:9000");
    expected.set_hostname(dst + ".host");
    expected.set_isolation_group("zone-" + std::to_string(i + 1));
    // Everything else (port, zone, weight, shards, metadata, subcluster id) is untouched.
    EXPECT_TRUE(MessageDifferencer::Equals(got, expected))
        << got.DebugString() << expected.DebugString();
  }
  auto placement_only = [](m3::pb::Placement p) {
    p.clear_instances();
    return p;
  };
  EXPECT_TRUE(MessageDifferencer::Equals(placement_only(after), placement_only(original)));
}

TEST(M3Placement, UnknownFieldsSurviveAndNoReplacementsKeepsTheContent) {
  auto original = m3::make_placement(three_nodes());
  auto round_trip = rewrite_placement(m3::encode(original), {});
  ASSERT_TRUE(round_trip);
  // Fields outside our schema (cutover_time, metadata, subcluster_id, shard cutover_nanos,
  // source_id, redirect_to_shard_id, ...) are all still there.
  EXPECT_TRUE(MessageDifferencer::Equals(m3::decode(*round_trip), original));
  EXPECT_EQ(m3::decode(*round_trip).cutover_time(), 1699000000123);
  EXPECT_EQ(m3::decode(*round_trip).instances().at("m3db-b").metadata().debug_port(), 9005u);
}

TEST(M3Placement, EmptyAzKeepsTheIsolationGroup) {
  auto rewritten =
      rewrite_placement(m3::encode(m3::make_placement(three_nodes())), {move("m3db-b", "x")});
  ASSERT_TRUE(rewritten);
  auto after = m3::decode(*rewritten);
  EXPECT_EQ(after.instances().at("x").isolation_group(), "rack-b");
  EXPECT_EQ(after.instances().at("m3db-a").endpoint(), "10.0.0.1:9000");  // not replaced
}

TEST(M3Placement, IdsCanBeSwapped) {
  auto original = m3::make_placement(three_nodes());
  auto rewritten = rewrite_placement(m3::encode(original),
                                     {move("m3db-a", "m3db-b"), move("m3db-b", "m3db-a")});
  ASSERT_TRUE(rewritten) << rewritten.error().to_string();
  auto after = m3::decode(*rewritten);
  EXPECT_EQ(after.instances().at("m3db-b").port(), 9000u);  // was m3db-a's
  EXPECT_EQ(after.instances().at("m3db-a").port(), 9001u);
  EXPECT_EQ(after.instances().at("m3db-a").id(), "m3db-a");
}

TEST(M3Placement, MissingRecordedNodeIdIsAnErrorNamingIt) {
  auto encoded = m3::encode(m3::make_placement(three_nodes()));
  auto rewritten = rewrite_placement(encoded, {move("m3db-a", "n0"), move("m3db-gone", "n1")});
  ASSERT_FALSE(rewritten);
  EXPECT_EQ(rewritten.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(rewritten.error().retryable);
  EXPECT_NE(rewritten.error().message.find("no instance 'm3db-gone'"), std::string::npos)
      << rewritten.error().message;
  for (const char* present : {"'m3db-a'", "'m3db-b'", "'m3db-c'"}) {  // listed, in stored order
    EXPECT_NE(rewritten.error().message.find(present), std::string::npos)
        << rewritten.error().message;
  }
}

TEST(M3Placement, TargetIdOfAnotherInstanceIsRefused) {
  auto encoded = m3::encode(m3::make_placement(three_nodes()));
  auto rewritten = rewrite_placement(encoded, {move("m3db-a", "m3db-c")});
  ASSERT_FALSE(rewritten);
  EXPECT_NE(rewritten.error().message.find("'m3db-c' already names another instance"),
            std::string::npos)
      << rewritten.error().message;
}

TEST(M3Placement, BytesThatAreNotAPlacementAreNamedCorruption) {
  for (std::string bad : {std::string("not a placement"), std::string("\x0a\xff\xff\xff\x0f", 5),
                          std::string("\x0a\x05\x0a\x03", 4)}) {
    auto rewritten = rewrite_placement(bad, {move("m3db-a", "x")});
    ASSERT_FALSE(rewritten);
    EXPECT_EQ(rewritten.error().code, ErrorCode::kCorruption);
    EXPECT_NE(rewritten.error().message.find("not an M3 placement protobuf"), std::string::npos);
    EXPECT_FALSE(describe_placement(bad));
  }
}

TEST(M3Placement, NonUtf8StringsAreCarried) {
  google::protobuf::LogSilencer quiet;  // the full schema complains while encoding them
  auto original = m3::make_placement({{"m3db-a", "rack-\xff", "e", "h\xfe", 1}});
  auto rewritten = rewrite_placement(m3::encode(original), {});
  ASSERT_TRUE(rewritten) << rewritten.error().to_string();
  auto summary = describe_placement(*rewritten);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->instances.at(0).isolation_group, "rack-\xff");
}

TEST(M3Placement, DescribeListsTheDeclaredFields) {
  auto summary = describe_placement(m3::encode(m3::make_placement(three_nodes(), 6)));
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->num_shards, 6u);
  EXPECT_EQ(summary->replica_factor, 3u);
  EXPECT_TRUE(summary->is_sharded);
  ASSERT_EQ(summary->instances.size(), 3u);
  std::map<std::string, PlacementInstance> by_key;
  for (const auto& i : summary->instances) by_key[i.key] = i;
  EXPECT_EQ(by_key.at("m3db-c").hostname, "host-c");
  EXPECT_EQ(by_key.at("m3db-c").endpoint, "10.0.0.3:9000");
  EXPECT_EQ(by_key.at("m3db-c").isolation_group, "rack-c");
  EXPECT_EQ(by_key.at("m3db-c").port, 9002u);
  EXPECT_EQ(by_key.at("m3db-c").shard_ids.size(), 6u);
}

TEST(M3Placement, PlacementKeys) {
  EXPECT_TRUE(is_placement_key("_sd.placement/default_env/m3db"));
  EXPECT_FALSE(is_placement_key("_sd.placement/default_env/m3db-staged"));
  EXPECT_FALSE(is_placement_key("_kv/default_env/m3db.node.namespaces"));
  EXPECT_FALSE(is_placement_key("_sd.placement/default_env/m3coordinator"));
}

}  // namespace
}  // namespace astacus::plugins::m3db

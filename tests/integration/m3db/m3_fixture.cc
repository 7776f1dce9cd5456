#include "m3_fixture.h"

#include <gtest/gtest.h>

#include "support/cluster.h"

namespace astacus::testing::m3 {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kMtime = 1700000000000000000;
const std::vector<std::string> kNamespaces = {"default", "metrics_10s_48h"};
const std::vector<std::pair<std::string, size_t>> kFilesetParts = {
    {"info", 120}, {"index", 9000}, {"data", 40000}, {"digest", 24},
    {"checkpoint", 4}, {"bloomfilter", 300}, {"summaries", 180}};

uint64_t seed_of(int node, size_t a, size_t b, size_t c) {
  return static_cast<uint64_t>(node) * 1000003 + a * 10007 + b * 101 + c;
}

}  // namespace

void write_node_data(const fs::path& root, int node) {
  int64_t t = kMtime + node * 1000;
  for (size_t ns = 0; ns < kNamespaces.size(); ++ns) {
    for (size_t shard = static_cast<size_t>(node); shard < 12; shard += 3) {
      auto dir = root / "data" / kNamespaces[ns] / std::to_string(shard);
      for (size_t block = 0; block < 2; ++block) {
        int64_t block_start = 1699990000000000000 + static_cast<int64_t>(block) * 7200000000000;
        for (size_t p = 0; p < kFilesetParts.size(); ++p) {
          const auto& [part, size] = kFilesetParts[p];
          auto name = "fileset-" + std::to_string(block_start) + "-0-" + part + ".db";
          write_file(dir / name, random_bytes(size, seed_of(node, ns, shard * 10 + block, p)),
                     t + static_cast<int64_t>(p));
        }
      }
    }
  }
  for (int n = 0; n < 3; ++n) {
    write_file(root / "commitlogs" / ("commitlog-0-" + std::to_string(n) + ".db"),
               random_bytes(64 * 1024 + 17 * static_cast<size_t>(n),
                            seed_of(node, 99, 0, static_cast<size_t>(n))),
               t + 100 + n);
  }
  write_file(root / "snapshots" / "default" / "0" / "snapshot-0-0-info.db",
             random_bytes(150, seed_of(node, 98, 0, 0)), t + 200);
  // Not *.db: M3DB keeps these, the m3db plugin does not back them up.
  write_file(root / "config" / "m3dbnode.yml",
             "db:\n  hostID: node-" + std::to_string(node) + "\n", t);
  write_file(root / "data" / "default" / "lock", "", t);
}

std::vector<std::string> grow_commit_logs(const fs::path& root, int node, int round) {
  auto newest = root / "commitlogs" / "commitlog-0-2.db";
  {
    auto existing = read_tree(root / "commitlogs");
    std::string content = existing.at("commitlog-0-2.db").content +
                          random_bytes(5000, seed_of(node, 97, static_cast<size_t>(round), 0));
    write_file(newest, content, kMtime + 5000 + round);
  }
  auto fresh = "commitlog-0-" + std::to_string(3 + round) + ".db";
  write_file(root / "commitlogs" / fresh,
             random_bytes(30000, seed_of(node, 96, static_cast<size_t>(round), 0)),
             kMtime + 6000 + round);
  return {"commitlogs/commitlog-0-2.db", "commitlogs/" + fresh};
}

pb::Placement make_placement(const std::vector<InstanceSpec>& instances, uint32_t num_shards) {
  pb::Placement placement;
  placement.set_replica_factor(3);
  placement.set_num_shards(num_shards);
  placement.set_is_sharded(true);
  placement.set_cutover_time(1699000000123);
  placement.set_max_shard_set_id(static_cast<uint32_t>(instances.size()));
  placement.set_instances_per_subcluster(7);
  for (size_t i = 0; i < instances.size(); ++i) {
    const auto& spec = instances[i];
    pb::Instance instance;
    instance.set_id(spec.id);
    instance.set_isolation_group(spec.isolation_group);
    instance.set_zone("embedded");
    instance.set_weight(100 + static_cast<uint32_t>(i));
    instance.set_endpoint(spec.endpoint);
    instance.set_hostname(spec.hostname);
    instance.set_port(spec.port);
    instance.set_shard_set_id(static_cast<uint32_t>(i + 1));
    instance.mutable_metadata()->set_debug_port(9004 + static_cast<uint32_t>(i));
    instance.set_subcluster_id(static_cast<uint32_t>(i % 2 + 1));
    for (uint32_t s = 0; s < num_shards; ++s) {
      auto* shard = instance.add_shards();
      shard->set_id(s);
      shard->set_state(pb::AVAILABLE);
      shard->set_cutover_nanos(1699000000000000000 + s);
      if (s == 0) shard->mutable_redirect_to_shard_id()->set_value(num_shards + 1);
      if (s == 1) shard->set_source_id("old-" + spec.id);
    }
    (*placement.mutable_instances())[spec.id] = instance;
  }
  return placement;
}

std::string encode(const pb::Placement& placement) {
  std::string out;
  EXPECT_TRUE(placement.SerializeToString(&out));
  return out;
}

pb::Placement decode(const std::string& bytes) {
  pb::Placement placement;
  EXPECT_TRUE(placement.ParseFromString(bytes)) << "not a placement: " << bytes.size() << " bytes";
  return placement;
}

std::string placement_key(const std::string& env) { return "_sd.placement/" + env + "/m3db"; }
std::string namespaces_key(const std::string& env) {
  return "_kv/" + env + "/m3db.node.namespaces";
}

std::vector<plugins::etcd::KeyValue> m3_keys(const std::string& env, const std::string& placement) {
  std::string registry = "\x0a\x07" "default" "\x12\x03\x08\x01\xff" + random_bytes(300, 7);
  return {{namespaces_key(env), registry},
          {namespaces_key(env) + "/extra", "under the namespaces prefix"},
          {placement_key(env), placement},
          {placement_key(env) + "-staged", std::string("\x00\x01\x02", 3)}};
}

std::vector<plugins::etcd::KeyValue> unrelated_keys(const std::string& env) {
  return {{"_kv/" + env + "/m3aggregator.rules", "rules"},
          {"_sd.placement/" + env + "/m3coordinator", "coordinator placement"},
          {"unrelated/key", "value"}};
}

}  // namespace astacus::testing::m3

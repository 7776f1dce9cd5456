#pragma once
// M3DB-like test data: node file trees laid out as M3DB writes them, M3's etcd keys, and
// placements encoded with M3's full schema (m3_placement_full.proto).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "m3_placement_full.pb.h"
#include "plugins/etcd/wire.h"

namespace astacus::testing::m3 {

namespace pb = astacus_test::placementpb;

/// Files of node `node` under root: data/<namespace>/<shard>/fileset-<blockstart>-<volume>-
/// {info,index,data,digest,checkpoint,bloomfilter,summaries}.db (small ones embedded in the
/// manifest, data/index ones tens of KB), commitlogs/commitlog-0-<n>.db, and files M3 keeps that
/// are not `*.db` (not backed up). Deterministic for a node index.
void write_node_data(const std::filesystem::path& root, int node);

/// Appends to the newest commit log and adds a new one, as a running M3DB does. Returns the
/// relative paths changed.
std::vector<std::string> grow_commit_logs(const std::filesystem::path& root, int node, int round);

struct InstanceSpec {
  std::string id;
  std::string isolation_group;
  std::string endpoint;
  std::string hostname;
  uint32_t port = 9000;
};

/// A placement as M3 stores it: every instance with shards (cutover times, a redirect), weight,
/// zone, port, metadata and a subcluster id; placement-level fields M3 sets (cutover time, max
/// shard set id, ...). Fields beyond the product's subset have non-default values.
pb::Placement make_placement(const std::vector<InstanceSpec>& instances, uint32_t num_shards = 12);
std::string encode(const pb::Placement& placement);
/// Parses with the full schema; fails the test when it does not parse.
pb::Placement decode(const std::string& bytes);

/// The etcd key of the placement and of the namespaces registry of environment `env`.
std::string placement_key(const std::string& env);
std::string namespaces_key(const std::string& env);

/// M3's keys for `env`: the namespaces registry (binary protobuf-like bytes), the placement,
/// and one more key under each backed-up prefix.
std::vector<plugins::etcd::KeyValue> m3_keys(const std::string& env, const std::string& placement);
/// Keys outside the backed-up prefixes (a restore must leave them alone).
std::vector<plugins::etcd::KeyValue> unrelated_keys(const std::string& env);

}  // namespace astacus::testing::m3

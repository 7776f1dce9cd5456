#include "coordinator/upload_plan.h"

#include <algorithm>
#include <map>
#include <utility>

namespace astacus::coordinator {

namespace {

/// A distinct blob and every hash entry (node index, repeated per entry) that carries it.
struct Candidate {
  manifest::SnapshotHash hash;
  std::vector<size_t> holders;
};

/// Candidates in order of first appearance (Python dict insertion order).
std::vector<Candidate> collect(
    const std::vector<std::vector<manifest::SnapshotHash>>& node_hashes) {
  std::vector<Candidate> candidates;
  std::map<std::pair<std::string, int64_t>, size_t> index_of;
  for (size_t node = 0; node < node_hashes.size(); ++node) {
    for (const auto& hash : node_hashes[node]) {
      auto [it, inserted] = index_of.try_emplace({hash.hexdigest, hash.size}, candidates.size());
      if (inserted) candidates.push_back({hash, {}});
      candidates[it->second].holders.push_back(node);
    }
  }
  return candidates;
}

}  // namespace

std::vector<NodeIndexData> build_node_index_datas(
    const std::vector<std::vector<manifest::SnapshotHash>>& node_hashes,
    const std::unordered_set<std::string>& stored_hexdigests) {
  std::vector<Candidate> todo = collect(node_hashes);
  std::stable_sort(todo.begin(), todo.end(), [](const Candidate& a, const Candidate& b) {
    if (a.holders.size() != b.holders.size()) return a.holders.size() < b.holders.size();
    return a.hash.size > b.hash.size;
  });
  std::vector<NodeIndexData> datas(node_hashes.size());
  for (size_t i = 0; i < datas.size(); ++i) datas[i].node_index = i;
  for (const Candidate& c : todo) {
    if (stored_hexdigests.count(c.hash.hexdigest)) continue;
    size_t best = c.holders.front();
    for (size_t node : c.holders) {
      if (datas[node].total_size < datas[best].total_size ||
          (datas[node].total_size == datas[best].total_size && node < best)) {
        best = node;
      }
    }
    datas[best].hashes.push_back(c.hash);
    datas[best].total_size += c.hash.size;
  }
  std::erase_if(datas, [](const NodeIndexData& d) { return d.hashes.empty(); });
  return datas;
}

std::vector<std::vector<manifest::SnapshotHash>> hashes_of(
    const std::vector<manifest::SnapshotResult>& snapshot_results) {
  std::vector<std::vector<manifest::SnapshotHash>> out;
  out.reserve(snapshot_results.size());
  for (const auto& result : snapshot_results) {
    out.push_back(result.hashes.value_or(std::vector<manifest::SnapshotHash>{}));
  }
  return out;
}

}  // namespace astacus::coordinator

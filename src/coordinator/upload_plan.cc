#include "coordinator/upload_plan.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace astacus::coordinator {

namespace {

/// A distinct blob not yet stored and every hash entry (node index, repeated per entry) that
/// carries it. Points into the caller's hash lists.
struct Candidate {
  const manifest::SnapshotHash* hash;
  std::vector<size_t> holders;
};

/// (hexdigest, size) of a hash entry; points into the caller's hash lists.
using BlobKey = std::pair<const manifest::Hexdigest*, int64_t>;

struct BlobKeyHash {
  size_t operator()(const BlobKey& k) const { return k.first->hash() ^ static_cast<size_t>(k.second); }
};

struct BlobKeyEqual {
  bool operator()(const BlobKey& a, const BlobKey& b) const { return a.second == b.second && *a.first == *b.first; }
};

/// Candidates in order of first appearance (Python dict insertion order). Stored blobs are
/// skipped here already: the assignment never looks at them, and an unchanged backup then
/// costs a set lookup per hash instead of a map entry.
std::vector<Candidate> collect(const std::vector<const std::vector<manifest::SnapshotHash>*>& node_hashes,
                               const HexdigestSet& stored_hexdigests) {
  std::vector<Candidate> candidates;
  std::unordered_map<BlobKey, size_t, BlobKeyHash, BlobKeyEqual> index_of;
  for (size_t node = 0; node < node_hashes.size(); ++node) {
    for (const auto& hash : *node_hashes[node]) {
      if (stored_hexdigests.count(hash.hexdigest)) continue;
      auto [it, inserted] = index_of.try_emplace({&hash.hexdigest, hash.size}, candidates.size());
      if (inserted) candidates.push_back({&hash, {}});
      candidates[it->second].holders.push_back(node);
    }
  }
  return candidates;
}

std::vector<NodeIndexData> assign(const std::vector<const std::vector<manifest::SnapshotHash>*>& node_hashes,
                                  const HexdigestSet& stored_hexdigests) {
  std::vector<Candidate> todo = collect(node_hashes, stored_hexdigests);
  std::stable_sort(todo.begin(), todo.end(), [](const Candidate& a, const Candidate& b) {
    if (a.holders.size() != b.holders.size()) return a.holders.size() < b.holders.size();
    return a.hash->size > b.hash->size;
  });
  std::vector<NodeIndexData> datas(node_hashes.size());
  for (size_t i = 0; i < datas.size(); ++i) datas[i].node_index = i;
  for (const Candidate& c : todo) {
    size_t best = c.holders.front();
    for (size_t node : c.holders) {
      if (datas[node].total_size < datas[best].total_size ||
          (datas[node].total_size == datas[best].total_size && node < best)) {
        best = node;
      }
    }
    datas[best].hashes.push_back(*c.hash);
    datas[best].total_size += c.hash->size;
  }
  std::erase_if(datas, [](const NodeIndexData& d) { return d.hashes.empty(); });
  return datas;
}

}  // namespace

std::vector<NodeIndexData> build_node_index_datas(
    const std::vector<std::vector<manifest::SnapshotHash>>& node_hashes,
    const HexdigestSet& stored_hexdigests) {
  std::vector<const std::vector<manifest::SnapshotHash>*> lists;
  for (const auto& hashes : node_hashes) lists.push_back(&hashes);
  return assign(lists, stored_hexdigests);
}

std::vector<NodeIndexData> build_node_index_datas(
    const std::vector<manifest::SnapshotResult>& snapshot_results,
    const HexdigestSet& stored_hexdigests) {
  static const std::vector<manifest::SnapshotHash> kNone;
  std::vector<const std::vector<manifest::SnapshotHash>*> lists;
  for (const auto& result : snapshot_results) lists.push_back(result.hashes ? &*result.hashes : &kNone);
  return assign(lists, stored_hexdigests);
}

}  // namespace astacus::coordinator

#include "coordinator/upload_plan.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace astacus::coordinator {

namespace {

/// A hash entry not yet stored: where it is, which node carries it, and its place among all
/// entries (Python's dict insertion order). Points into the caller's hash lists.
struct Entry {
  const manifest::SnapshotHash* hash;
  size_t order;
  size_t node;
};

/// A distinct blob not yet stored: its first entry, and its entries as a run of the sorted
/// entry list (so its holders need no list of their own: ~48 bytes per blob in all, where a
/// hash map and a holder vector per blob took ~120).
struct Candidate {
  const manifest::SnapshotHash* hash;
  size_t first_order;
  size_t begin;
  size_t count;  // hash entries carrying it, repeats included
};

bool same_blob(const manifest::SnapshotHash& a, const manifest::SnapshotHash& b) {
  return a.size == b.size && a.hexdigest == b.hexdigest;
}

/// Every entry not in storage, sorted so that each blob's entries form a run, in order of
/// appearance. Stored blobs are skipped here already: the assignment never looks at them, and
/// an unchanged backup then costs a set lookup per hash.
std::vector<Entry> collect(const std::vector<const std::vector<manifest::SnapshotHash>*>& node_hashes,
                           const HexdigestSet& stored_hexdigests) {
  std::vector<Entry> entries;
  size_t order = 0;
  for (size_t node = 0; node < node_hashes.size(); ++node) {
    for (const auto& hash : *node_hashes[node]) {
      if (!stored_hexdigests.count(hash.hexdigest)) entries.push_back({&hash, order, node});
      ++order;
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.hash->hexdigest != b.hash->hexdigest) return a.hash->hexdigest < b.hash->hexdigest;
    if (a.hash->size != b.hash->size) return a.hash->size < b.hash->size;
    return a.order < b.order;
  });
  return entries;
}

std::vector<Candidate> candidates_of(const std::vector<Entry>& entries) {
  std::vector<Candidate> out;
  for (size_t i = 0; i < entries.size();) {
    size_t end = i + 1;
    while (end < entries.size() && same_blob(*entries[end].hash, *entries[i].hash)) ++end;
    out.push_back({entries[i].hash, entries[i].order, i, end - i});
    i = end;
  }
  return out;
}

std::vector<NodeIndexData> assign(const std::vector<const std::vector<manifest::SnapshotHash>*>& node_hashes,
                                  const HexdigestSet& stored_hexdigests) {
  std::vector<Entry> entries = collect(node_hashes, stored_hexdigests);
  std::vector<Candidate> todo = candidates_of(entries);
  std::sort(todo.begin(), todo.end(), [](const Candidate& a, const Candidate& b) {
    if (a.count != b.count) return a.count < b.count;
    if (a.hash->size != b.hash->size) return a.hash->size > b.hash->size;
    return a.first_order < b.first_order;
  });
  std::vector<NodeIndexData> datas(node_hashes.size());
  for (size_t i = 0; i < datas.size(); ++i) datas[i].node_index = i;
  for (const Candidate& c : todo) {
    // The holder with the least assigned so far; ties go to the lowest index.
    size_t best = entries[c.begin].node;
    for (size_t e = c.begin; e < c.begin + c.count; ++e) {
      size_t node = entries[e].node;
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

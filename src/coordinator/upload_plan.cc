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

/// A distinct blob not yet stored: its entries as a run of the sorted entry list, the first of
/// which is its first appearance (so its holders need no list of their own, and the candidate
/// 16 bytes, where a hash map and a holder vector per blob took ~120).
struct Candidate {
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
  // Reserved for every hash: the pages of entries that stay unused (stored blobs: all of an
  // unchanged backup's) are never touched, so they cost address space, not memory, where
  // growing by doubling held two arrays at once.
  size_t total = 0;
  for (const auto* hashes : node_hashes) total += hashes->size();
  entries.reserve(total);
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
  out.reserve(entries.size());  // as above: at most one per entry, the rest untouched
  for (size_t i = 0; i < entries.size();) {
    size_t end = i + 1;
    while (end < entries.size() && same_blob(*entries[end].hash, *entries[i].hash)) ++end;
    out.push_back({i, end - i});
    i = end;
  }
  return out;
}

std::vector<NodeIndexData> assign(const std::vector<const std::vector<manifest::SnapshotHash>*>& node_hashes,
                                  const HexdigestSet& stored_hexdigests) {
  std::vector<Entry> entries = collect(node_hashes, stored_hexdigests);
  std::vector<Candidate> todo = candidates_of(entries);
  auto first = [&entries](const Candidate& c) -> const Entry& { return entries[c.begin]; };
  std::sort(todo.begin(), todo.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.count != b.count) return a.count < b.count;
    if (first(a).hash->size != first(b).hash->size) return first(a).hash->size > first(b).hash->size;
    return first(a).order < first(b).order;
  });
  std::vector<NodeIndexData> datas(node_hashes.size());
  for (size_t i = 0; i < datas.size(); ++i) datas[i].node_index = i;
  // Each blob's node is chosen first and the lists filled after, each sized once: growing
  // them by doubling held up to three copies of a blob's 56-byte entry.
  std::vector<uint32_t> chosen(todo.size());  // node of todo[i]; nodes are few
  std::vector<size_t> counts(datas.size());
  for (size_t i = 0; i < todo.size(); ++i) {
    const Candidate& c = todo[i];
    // The holder with the least assigned so far; ties go to the lowest index.
    size_t best = entries[c.begin].node;
    for (size_t e = c.begin; e < c.begin + c.count; ++e) {
      size_t node = entries[e].node;
      if (datas[node].total_size < datas[best].total_size ||
          (datas[node].total_size == datas[best].total_size && node < best)) {
        best = node;
      }
    }
    chosen[i] = static_cast<uint32_t>(best);
    ++counts[best];
    datas[best].total_size += first(c).hash->size;
  }
  for (size_t node = 0; node < datas.size(); ++node) datas[node].hashes.reserve(counts[node]);
  for (size_t i = 0; i < todo.size(); ++i) datas[chosen[i]].hashes.push_back(*first(todo[i]).hash);
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

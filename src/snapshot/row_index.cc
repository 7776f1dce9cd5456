#include "snapshot/row_index.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <utility>

namespace astacus::snapshot::internal {

namespace {

constexpr uint32_t kEmptySlot = UINT32_MAX;

bool path_less(const manifest::SnapshotFile& a, const manifest::SnapshotFile& b) {
  return a.relative_path < b.relative_path;
}

// Sorts files and inodes together: a permutation sorted by path, applied by following its cycles
// (4 bytes per row, where sorting pairs would need a third copy of the rows). A node's DB of
// 2^32 rows would hold 400 GB of rows, far beyond what one snapshot walks.
void sort_together(std::vector<manifest::SnapshotFile>& files, std::vector<int64_t>& inodes) {
  if (std::is_sorted(files.begin(), files.end(), path_less)) return;
  std::vector<uint32_t> order(files.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return path_less(files[a], files[b]); });
  // Position i must receive the row now at order[i].
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    manifest::SnapshotFile file = std::move(files[start]);
    int64_t inode = inodes[start];
    size_t at = start;
    while (order[at] != start) {
      size_t from = order[at];
      files[at] = std::move(files[from]);
      inodes[at] = inodes[from];
      order[at] = static_cast<uint32_t>(at);
      at = from;
    }
    files[at] = std::move(file);
    inodes[at] = inode;
    order[at] = static_cast<uint32_t>(at);
  }
}

}  // namespace

RowIndex::RowIndex(LoadedRows rows)
    : files_(std::move(rows.files)),
      inodes_(std::move(rows.inodes)),
      link_inodes_(files_.size(), kNoCopy),
      state_(files_.size(), kUnseen),
      held_(files_.size()) {
  inodes_.resize(files_.size());
  sort_together(files_, inodes_);
  build_table();
}

// Open addressing with linear probing, 2/3 full at most: ~6 bytes per row.
void RowIndex::build_table() {
  if (files_.empty()) return;
  table_.assign(files_.size() + files_.size() / 2 + 1, kEmptySlot);
  for (size_t row = 0; row < files_.size(); ++row) {
    size_t i = first_slot(files_[row].relative_path);
    while (table_[i] != kEmptySlot) i = i + 1 == table_.size() ? 0 : i + 1;
    table_[i] = static_cast<uint32_t>(row);
  }
}

size_t RowIndex::first_slot(std::string_view rel) const {
  uint64_t hash = std::hash<std::string_view>()(rel);
  // Scaled into [0, size) by a multiply: the table may have any size.
  return static_cast<size_t>((static_cast<unsigned __int128>(hash) * table_.size()) >> 64);
}

size_t RowIndex::lookup(std::string_view rel) const {
  if (table_.empty()) return kNone;
  for (size_t i = first_slot(rel);; i = i + 1 == table_.size() ? 0 : i + 1) {
    uint32_t row = table_[i];
    if (row == kEmptySlot) return kNone;
    if (files_[row].relative_path == rel) return row;
  }
}

size_t RowIndex::find(std::string_view rel) const {
  size_t i = lookup(rel);
  return i != kNone && held(i) ? i : kNone;
}

bool RowIndex::erase(std::string_view rel) {
  size_t i = find(rel);
  if (i == kNone) return false;
  state_[i] = kErased;
  --held_;
  return true;
}

void RowIndex::keep(size_t i) {
  state_[i] = kKept;
  --held_;
}

std::vector<manifest::SnapshotFile> RowIndex::take_kept() {
  size_t out = 0;
  for (size_t i = 0; i < files_.size(); ++i) {
    if (state_[i] != kKept) continue;
    if (out != i) files_[out] = std::move(files_[i]);
    ++out;
  }
  files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(out), files_.end());
  // Few kept (a restore's scan of an emptied root keeps none): the rows' whole array, its pages
  // all touched, would otherwise stay with the result (~130 bytes per row of the DB).
  if (files_.capacity() > 2 * files_.size() + 1024) files_.shrink_to_fit();
  std::vector<manifest::SnapshotFile> kept = std::move(files_);
  *this = RowIndex();
  return kept;
}

}  // namespace astacus::snapshot::internal

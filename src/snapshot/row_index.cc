#include "snapshot/row_index.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "snapshot/sorted_seek.h"

namespace astacus::snapshot::internal {

namespace {

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
    : files_(std::move(rows.files)), inodes_(std::move(rows.inodes)), state_(files_.size(), kHeld), held_(files_.size()) {
  inodes_.resize(files_.size());
  sort_together(files_, inodes_);
}

size_t RowIndex::position(std::string_view rel) {
  return seek_sorted(files_, cursor_, rel, [](const manifest::SnapshotFile& f) -> const std::string& { return f.relative_path; });
}

size_t RowIndex::find(std::string_view rel) {
  size_t i = position(rel);
  if (i == files_.size() || state_[i] != kHeld || files_[i].relative_path != rel) return kNone;
  return i;
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
  std::vector<manifest::SnapshotFile> kept = std::move(files_);
  *this = RowIndex();
  return kept;
}

}  // namespace astacus::snapshot::internal

#include "snapshot/link_index.h"

#include <algorithm>

#include "snapshot/sorted_seek.h"

namespace astacus::snapshot::internal {

void LinkIndex::sort() {
  std::sort(copies_.begin(), copies_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  cursor_ = 0;
}

int64_t LinkIndex::visit(std::string_view rel) {
  size_t i = seek_sorted(copies_, cursor_, rel, [](const auto& copy) -> const std::string& { return copy.first; });
  if (i == copies_.size() || copies_[i].first != rel) return kVisited;
  int64_t inode = copies_[i].second;
  copies_[i].second = kVisited;
  return inode;
}

}  // namespace astacus::snapshot::internal

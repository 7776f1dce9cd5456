#pragma once
// Private to the snapshot layer: link copies found when a snapshot starts, with the inode each
// one's directory entry gives, sorted by path once the link tree is walked and found by a forward
// cursor (sorted_seek.h) as the sorted candidates are visited. It holds the copies that have no
// DB row (a row keeps its copy's inode itself: RowIndex::set_link_inode), and all of them while
// the DB rows are still being read. A visited copy is
// marked, not erased; what is left unmarked has no file (stale). About 40 bytes plus the path per
// copy, where a hash map of them took about 100.
//
// Thread-safety: none (one snapshot run owns it; the walk that fills it ends before lookups).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace astacus::snapshot::internal {

class LinkIndex {
 public:
  static constexpr int64_t kVisited = -1;

  /// Adds a copy (in any order; call sort() before lookups).
  void add(std::string rel, int64_t entry_inode) { copies_.emplace_back(std::move(rel), entry_inode); }
  /// Drops the copies for which `f(rel, entry_inode)` is true (in any order; before sort()).
  template <class F>
  void remove_if(F&& f) {
    std::erase_if(copies_, [&](const auto& copy) { return f(copy.first, copy.second); });
  }
  void sort();
  /// The entry inode of the unvisited copy `rel`, marking it visited; kVisited when there is no
  /// such copy or it was visited already.
  int64_t visit(std::string_view rel);
  /// Calls `f(rel)` for each copy not visited, in path order.
  template <class F>
  void for_each_unvisited(F&& f) const {
    for (const auto& [rel, inode] : copies_) {
      if (inode != kVisited) f(rel);
    }
  }
  size_t size() const { return copies_.size(); }

 private:
  std::vector<std::pair<std::string, int64_t>> copies_;  // (rel, entry inode or kVisited)
  size_t cursor_ = 0;
};

}  // namespace astacus::snapshot::internal

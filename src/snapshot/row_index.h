#pragma once
// Private to the snapshot layer: the snapshot DB's rows during one snapshot, sorted by path, with
// a table of row numbers by path so the walks can find a file's row in the order they meet it.
//
// The walks settle most files as they go: a file whose stat matches its row marks the row seen
// unchanged and is not kept as a candidate, and a link copy's inode is stored beside its row. So
// an unchanged tree holds no list of its files besides these rows (a candidate list and a list of
// link copies cost ~170 bytes per file more). The rows a snapshot keeps become its result in
// place (take_kept).
//
// Thread-safety: one owner marks rows; lookup() and set_link_inode() may run on one other thread
// at the same time (they touch only the paths, the path table and the link inodes).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "snapshot/snapshot_db.h"

namespace astacus::snapshot::internal {

class RowIndex {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  static constexpr int64_t kNoCopy = -1;  // link_inode() of a row whose copy was not found

  RowIndex() = default;
  /// Takes the rows in any order (sorted here unless they already are).
  explicit RowIndex(LoadedRows rows);

  /// The row of `rel` whatever its state, or kNone.
  size_t lookup(std::string_view rel) const;
  /// The row of `rel` still held (neither erased nor kept), or kNone.
  size_t find(std::string_view rel) const;
  const manifest::SnapshotFile& file(size_t i) const { return files_[i]; }
  int64_t inode(size_t i) const { return inodes_[i]; }

  /// The walk met row `i`'s file, which still matches the row or not.
  void mark_seen(size_t i, bool unchanged) { state_[i] = unchanged ? kSeenUnchanged : kSeenChanged; }
  /// The inode of row `i`'s link copy as its directory entry gives it (kNoCopy: none found).
  void set_link_inode(size_t i, int64_t inode) { link_inodes_[i] = inode; }
  int64_t link_inode(size_t i) const { return link_inodes_[i]; }

  /// Drops the held row of `rel`; false when there was none.
  bool erase(std::string_view rel);
  /// Marks held row `i` as kept: part of take_kept()'s result.
  void keep(size_t i);
  /// The kept rows' files, in path order, in the index's own storage; the index is empty after.
  std::vector<manifest::SnapshotFile> take_kept();

  /// Calls `f(file)` for each row still held, in path order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < files_.size(); ++i) {
      if (held(i)) f(files_[i]);
    }
  }
  /// Calls `f(i)` for each held row the walk did not meet (its file is gone or no longer
  /// selected), in path order; `f` may erase or keep row `i`.
  template <class F>
  void for_each_unseen(F&& f) {
    for_each_in_state(kUnseen, f);
  }
  /// Calls `f(i)` for each held row the walk met unchanged, in path order; as for_each_unseen.
  template <class F>
  void for_each_seen_unchanged(F&& f) {
    for_each_in_state(kSeenUnchanged, f);
  }
  size_t size() const { return held_; }

 private:
  enum State : uint8_t { kUnseen, kSeenUnchanged, kSeenChanged, kErased, kKept };
  bool held(size_t i) const { return state_[i] != kErased && state_[i] != kKept; }
  template <class F>
  void for_each_in_state(State state, F& f) {
    for (size_t i = 0; i < files_.size(); ++i) {
      if (state_[i] == state) f(i);
    }
  }
  void build_table();
  size_t first_slot(std::string_view rel) const;

  std::vector<manifest::SnapshotFile> files_;  // sorted by relative_path
  std::vector<int64_t> inodes_;                // by index
  std::vector<int64_t> link_inodes_;           // by index
  std::vector<State> state_;                   // by index
  std::vector<uint32_t> table_;                // row numbers by path hash, kEmptySlot where none
  size_t held_ = 0;
};

}  // namespace astacus::snapshot::internal

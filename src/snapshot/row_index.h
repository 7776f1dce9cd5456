#pragma once
// Private to the snapshot layer: the snapshot DB's rows during one snapshot, sorted by path, found
// by a forward cursor as the sorted candidates are visited (sorted_seek.h).
//
// The rows a snapshot keeps unchanged become its result in place (take_kept): building a second
// vector of every file while this one was still held doubled an unchanged snapshot's peak.
//
// Thread-safety: none (one snapshot run owns it).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "snapshot/snapshot_db.h"

namespace astacus::snapshot::internal {

class RowIndex {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  RowIndex() = default;
  /// Takes the rows in any order (sorted here unless they already are).
  explicit RowIndex(LoadedRows rows);

  /// The index of the row of `rel` still held, or kNone. Ascending calls are served by a forward
  /// cursor; others by a binary search.
  size_t find(std::string_view rel);
  const manifest::SnapshotFile& file(size_t i) const { return files_[i]; }
  int64_t inode(size_t i) const { return inodes_[i]; }
  /// Drops the row of `rel`; false when there was none.
  bool erase(std::string_view rel);
  /// Marks row `i` (from find) as kept: no longer held, and part of take_kept()'s result.
  void keep(size_t i);
  /// The kept rows' files, in path order, in the index's own storage; the index is empty after.
  std::vector<manifest::SnapshotFile> take_kept();
  /// Calls `f(file)` for each row still held, in path order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < files_.size(); ++i) {
      if (state_[i] == kHeld) f(files_[i]);
    }
  }
  size_t size() const { return held_; }

 private:
  enum State : uint8_t { kHeld, kErased, kKept };
  size_t position(std::string_view rel);  // index of the first row >= rel

  std::vector<manifest::SnapshotFile> files_;  // sorted by relative_path
  std::vector<int64_t> inodes_;                // by index
  std::vector<State> state_;                   // by index
  size_t held_ = 0;
  size_t cursor_ = 0;  // where the last lookup ended
};

}  // namespace astacus::snapshot::internal

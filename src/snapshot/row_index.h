#pragma once
// Private to the snapshot layer: the snapshot DB's rows during one snapshot, as one vector
// sorted by path. The walk's candidates are sorted too, so visiting them finds each row by a
// cursor that only moves forward; a hash map cost two or three cache misses per file (node,
// key, value) and a free per row, most of an unchanged snapshot's visit step.
//
// Thread-safety: none (one snapshot run owns it).

#include <string_view>
#include <vector>

#include "snapshot/snapshot_db.h"

namespace astacus::snapshot::internal {

class RowIndex {
 public:
  RowIndex() = default;
  /// Takes the rows in any order (sorted here unless they already are).
  explicit RowIndex(std::vector<FileRow> rows);

  /// The row of `rel` still held, or nullptr. Ascending calls are served by a forward cursor;
  /// others by a binary search.
  FileRow* find(std::string_view rel);
  /// Drops the row of `rel`; false when there was none.
  bool erase(std::string_view rel);
  /// Drops `row` (from find) from the index but keeps it in place, its path intact (the order
  /// lookups rely on), for the caller to move from once it makes no more lookups.
  FileRow* take(FileRow* row);
  /// Calls `f(row)` for each row still held, in path order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (!gone_[i]) f(rows_[i]);
    }
  }
  size_t size() const { return held_; }

 private:
  size_t position(std::string_view rel);  // index of the first row >= rel

  std::vector<FileRow> rows_;  // sorted by file.relative_path
  std::vector<bool> gone_;     // by index: erased or taken
  size_t held_ = 0;
  size_t cursor_ = 0;  // where the last lookup ended
};

}  // namespace astacus::snapshot::internal

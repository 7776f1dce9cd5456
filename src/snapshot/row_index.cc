#include "snapshot/row_index.h"

#include <algorithm>

namespace astacus::snapshot::internal {

namespace {

bool path_less(const FileRow& a, const FileRow& b) { return a.file.relative_path < b.file.relative_path; }

}  // namespace

RowIndex::RowIndex(std::vector<FileRow> rows) : rows_(std::move(rows)), gone_(rows_.size()), held_(rows_.size()) {
  if (!std::is_sorted(rows_.begin(), rows_.end(), path_less)) std::sort(rows_.begin(), rows_.end(), path_less);
}

size_t RowIndex::position(std::string_view rel) {
  auto less_than_rel = [&](size_t i) { return std::string_view(rows_[i].file.relative_path) < rel; };
  // Forward from the cursor while that stays cheap; a step back or a long jump searches.
  if (cursor_ > 0 && !less_than_rel(cursor_ - 1)) cursor_ = 0;
  for (int steps = 0; cursor_ < rows_.size() && less_than_rel(cursor_); ++steps, ++cursor_) {
    if (steps == 8) {
      auto it = std::lower_bound(rows_.begin() + static_cast<std::ptrdiff_t>(cursor_), rows_.end(), rel,
                                 [](const FileRow& r, std::string_view key) { return std::string_view(r.file.relative_path) < key; });
      cursor_ = static_cast<size_t>(it - rows_.begin());
      break;
    }
  }
  return cursor_;
}

FileRow* RowIndex::find(std::string_view rel) {
  size_t i = position(rel);
  if (i == rows_.size() || gone_[i] || rows_[i].file.relative_path != rel) return nullptr;
  return &rows_[i];
}

bool RowIndex::erase(std::string_view rel) {
  FileRow* row = find(rel);
  if (!row) return false;
  gone_[static_cast<size_t>(row - rows_.data())] = true;
  --held_;
  return true;
}

FileRow* RowIndex::take(FileRow* row) {
  gone_[static_cast<size_t>(row - rows_.data())] = true;
  --held_;
  return row;
}

}  // namespace astacus::snapshot::internal

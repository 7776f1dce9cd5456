#pragma once
// Private to the snapshot layer: lookups in a vector sorted by path, made mostly in ascending
// order (a snapshot visits the walk's sorted candidates). A cursor that only moves forward finds
// each path in a step or two; a hash map cost two or three cache misses per file and a free per
// entry, most of an unchanged snapshot's visit step.

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace astacus::snapshot::internal {

/// The index of the first item whose path (`path_of(item)`) is >= `path`. Moves forward from
/// `cursor` while that stays cheap; a step back or a long jump searches. Updates `cursor`.
template <class Items, class PathOf>
size_t seek_sorted(const Items& items, size_t& cursor, std::string_view path, PathOf path_of) {
  auto less_than_path = [&](size_t i) { return std::string_view(path_of(items[i])) < path; };
  if (cursor > items.size() || (cursor > 0 && !less_than_path(cursor - 1))) cursor = 0;
  for (int steps = 0; cursor < items.size() && less_than_path(cursor); ++steps, ++cursor) {
    if (steps == 8) {
      auto it = std::lower_bound(items.begin() + static_cast<std::ptrdiff_t>(cursor), items.end(), path,
                                 [&](const auto& item, std::string_view key) { return std::string_view(path_of(item)) < key; });
      cursor = static_cast<size_t>(it - items.begin());
      break;
    }
  }
  return cursor;
}

}  // namespace astacus::snapshot::internal

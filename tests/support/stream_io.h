#pragma once
// Drives a storage ObjectWriter / ObjectReader in pieces of chosen sizes (the backends'
// streaming tests): odd piece sizes cross part, block and chunk boundaries.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backend.h"

namespace astacus::testing {

/// Writes `data` in pieces of the sizes in `sizes`, cycled.
inline Status write_in_pieces(storage::ObjectWriter& writer, std::string_view data, const std::vector<size_t>& sizes) {
  size_t offset = 0;
  for (size_t i = 0; offset < data.size(); ++i) {
    size_t n = std::min(sizes[i % sizes.size()], data.size() - offset);
    ASTACUS_CHECK(writer.write(data.substr(offset, n)));
    offset += n;
  }
  return ok();
}

/// Reads to the end with read(max) for the maxima in `maxes`, cycled; every piece must fit.
inline std::string read_in_pieces(storage::ObjectReader& reader, const std::vector<size_t>& maxes) {
  std::string out;
  for (size_t i = 0;; ++i) {
    size_t max = maxes[i % maxes.size()];
    auto piece = reader.read(max);
    if (!piece) {
      ADD_FAILURE() << piece.error().message;
      return out;
    }
    if (piece->empty()) return out;
    EXPECT_LE(piece->size(), max);
    out.append(*piece);
  }
}

}  // namespace astacus::testing

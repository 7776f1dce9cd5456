#pragma once
// The blob names storage holds, as listed at the start of a backup, for the upload plan and the
// pre-manifest check (~2 lookups per file). Canonical digests live in one open-addressing table
// of their 32 bytes, filled as the listing streams and kept at most 3/4 full (43-85 B per name,
// ~45 when sized from the store's last listing; one or two cache lines per lookup, freed in one
// go); as a hash set of Hexdigest they cost
// ~72 B each and a free per name: destroying 97k of them took 40 ms at the end of every backup.
// (Collecting the names first and building the table at the end held both at once: 170 B per
// name at the peak.) Other names (tests' made-up ones) go in a small set. HexdigestIndex is
// smaller per name but finds a name through a position: two cache misses per lookup where this
// table has one, on the upload plan's path.
//
// Thread-safety: none; once filled, it may be read from several threads.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <unordered_set>
#include <vector>

#include "manifest/hexdigest.h"

namespace astacus::coordinator {

class HexdigestSet {
 public:
  HexdigestSet() = default;
  HexdigestSet(std::initializer_list<manifest::Hexdigest> names);

  /// Sizes the table for `names` names at once (a listing's size hint): growing it by doubling
  /// held the old table and the new one, 1.5 times the final size, at the listing's end.
  void reserve(size_t names);
  /// Adds a name (seen by lookups at once).
  void insert(const manifest::Hexdigest& name);
  template <class It>
  void insert(It first, It last) {
    for (; first != last; ++first) insert(manifest::Hexdigest(*first));
  }
  /// 1 when `name` is in the set, else 0.
  size_t count(const manifest::Hexdigest& name) const;
  size_t size() const { return in_table_ + others_.size(); }

 private:
  using Bytes = std::array<uint8_t, 32>;
  size_t slot_of(const Bytes& bytes) const;  // where `bytes` is, or the empty slot it would take

  void grow();                 // doubles the table
  void rehash(size_t slots);   // moves the names into a table of `slots`

  std::vector<Bytes> table_;  // all-zero = empty slot (a canonical name is never zero); any size
  size_t in_table_ = 0;
  std::unordered_set<manifest::Hexdigest> others_;
};

}  // namespace astacus::coordinator

#pragma once
// Numbers distinct blob names 0, 1, 2, ... in the order first seen, for per-blob arrays (cleanup's
// references, `list`'s deduplicated statistics). Canonical digests are kept once as their 32 bytes
// in a dense vector, found through an open-addressing table of 4-byte positions kept at most 3/4
// full: ~40 B per name, where a std::unordered_map<Hexdigest, uint32_t> costs ~88 B and a free
// per name. Other names (empty, non-canonical) go in a small map.
//
// Thread-safety: none; once filled, it may be read from several threads.

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "manifest/hexdigest.h"

namespace astacus::coordinator {

class HexdigestIndex {
 public:
  /// The index of `name`, numbered next when it is new.
  uint32_t add(const manifest::Hexdigest& name);
  /// The index of `name`, or nullopt when it was never added.
  std::optional<uint32_t> find(const manifest::Hexdigest& name) const;
  /// Names added so far (the next index).
  size_t size() const { return names_.size(); }

 private:
  using Bytes = std::array<uint8_t, 32>;
  /// The slot holding `bytes`, or the empty slot where it would go.
  size_t slot_of(const Bytes& bytes) const;
  void grow();

  std::vector<Bytes> names_;     // by index (all zero for names kept in others_)
  std::vector<uint32_t> slots_;  // index + 1 of a canonical name, 0 = empty; size a power of two
  size_t in_table_ = 0;
  std::unordered_map<manifest::Hexdigest, uint32_t> others_;
};

}  // namespace astacus::coordinator

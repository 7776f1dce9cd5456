#include "coordinator/hexdigest_set.h"

#include <algorithm>
#include <cstring>

namespace astacus::coordinator {

namespace {

bool is_zero(const std::array<uint8_t, 32>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

HexdigestSet::HexdigestSet(std::initializer_list<manifest::Hexdigest> names) {
  for (const auto& name : names) insert(name);
}

void HexdigestSet::insert(const manifest::Hexdigest& name) {
  if (!name.canonical()) {
    others_.insert(name);
    return;
  }
  if ((in_table_ + 1) * 4 > table_.size() * 3) grow();
  Bytes& slot = table_[slot_of(name.bytes())];
  if (is_zero(slot)) {
    slot = name.bytes();
    ++in_table_;
  }
}

void HexdigestSet::reserve(size_t names) {
  size_t slots = std::max<size_t>(16, names + names / 3 + 1);  // at most 3/4 full
  if (slots > table_.size()) rehash(slots);
}

void HexdigestSet::grow() { rehash(std::max<size_t>(16, 2 * table_.size())); }

void HexdigestSet::rehash(size_t slots) {
  std::vector<Bytes> old = std::move(table_);
  table_.assign(slots, Bytes{});
  for (const auto& b : old) {
    if (!is_zero(b)) table_[slot_of(b)] = b;
  }
}

size_t HexdigestSet::slot_of(const Bytes& bytes) const {
  uint64_t spread = 0;  // a digest's bytes are uniformly spread: any 8 of them index the table
  std::memcpy(&spread, bytes.data(), sizeof spread);
  // Scaled into [0, size) by a multiply, so the table can have any size: sized from a hint it
  // is 3/4 full, where rounding up to a power of two left 1 M names in a 64 MB table, not 43.
  size_t size = table_.size();
  size_t i = static_cast<size_t>((static_cast<unsigned __int128>(spread) * size) >> 64);
  for (;; i = i + 1 == size ? 0 : i + 1) {
    if (table_[i] == bytes || is_zero(table_[i])) return i;
  }
}

size_t HexdigestSet::count(const manifest::Hexdigest& name) const {
  if (!name.canonical()) return others_.count(name);
  if (table_.empty()) return 0;
  return table_[slot_of(name.bytes())] == name.bytes() ? 1 : 0;
}

}  // namespace astacus::coordinator

#include "coordinator/hexdigest_index.h"

#include <algorithm>
#include <cstring>

namespace astacus::coordinator {

size_t HexdigestIndex::slot_of(const Bytes& bytes) const {
  uint64_t spread = 0;  // a digest's bytes are uniformly spread: any 8 of them index the table
  std::memcpy(&spread, bytes.data(), sizeof spread);
  size_t mask = slots_.size() - 1;
  for (size_t i = spread & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0 || names_[slots_[i] - 1] == bytes) return i;
  }
}

void HexdigestIndex::grow() {
  std::vector<uint32_t> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, 2 * old.size()), 0);
  for (uint32_t position : old) {
    if (position) slots_[slot_of(names_[position - 1])] = position;
  }
}

uint32_t HexdigestIndex::add(const manifest::Hexdigest& name) {
  auto next = static_cast<uint32_t>(names_.size());
  if (!name.canonical()) {
    auto [it, added] = others_.try_emplace(name, next);
    if (added) names_.push_back(Bytes{});
    return it->second;
  }
  if ((in_table_ + 1) * 4 > slots_.size() * 3) grow();
  uint32_t& slot = slots_[slot_of(name.bytes())];
  if (slot) return slot - 1;
  names_.push_back(name.bytes());
  slot = next + 1;
  ++in_table_;
  return next;
}

std::optional<uint32_t> HexdigestIndex::find(const manifest::Hexdigest& name) const {
  if (!name.canonical()) {
    auto it = others_.find(name);
    if (it == others_.end()) return std::nullopt;
    return it->second;
  }
  if (slots_.empty()) return std::nullopt;
  uint32_t slot = slots_[slot_of(name.bytes())];
  if (!slot) return std::nullopt;
  return slot - 1;
}

}  // namespace astacus::coordinator

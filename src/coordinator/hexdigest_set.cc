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
  seal();
}

void HexdigestSet::insert(const manifest::Hexdigest& name) {
  if (!name.canonical()) {
    others_.insert(name);
  } else if (is_zero(name.bytes())) {
    has_zero_ = true;
  } else {
    pending_.push_back(name.bytes());
  }
}

size_t HexdigestSet::slot_of(const Bytes& bytes) const {
  uint64_t spread = 0;  // a digest's bytes are uniformly spread: any 8 of them index the table
  std::memcpy(&spread, bytes.data(), sizeof spread);
  size_t mask = table_.size() - 1;
  for (size_t i = spread & mask;; i = (i + 1) & mask) {
    if (table_[i] == bytes || is_zero(table_[i])) return i;
  }
}

void HexdigestSet::seal() {
  std::vector<Bytes> names = std::move(pending_);
  pending_ = {};
  for (const auto& b : table_) {
    if (!is_zero(b)) names.push_back(b);
  }
  size_t capacity = 16;
  while (capacity < 2 * names.size()) capacity *= 2;
  table_.assign(capacity, Bytes{});
  size_t in_table = 0;
  for (const auto& b : names) {
    Bytes& slot = table_[slot_of(b)];
    if (is_zero(slot)) ++in_table;
    slot = b;
  }
  size_ = in_table + (has_zero_ ? 1 : 0) + others_.size();
}

size_t HexdigestSet::count(const manifest::Hexdigest& name) const {
  if (!name.canonical()) return others_.count(name);
  if (is_zero(name.bytes())) return has_zero_ ? 1 : 0;
  if (table_.empty()) return 0;
  return table_[slot_of(name.bytes())] == name.bytes() ? 1 : 0;
}

}  // namespace astacus::coordinator

#include "storage/local/half_seen.h"

#include <optional>

namespace astacus::storage::local {

namespace {

std::optional<std::array<uint8_t, 32>> lowercase_hex_digest(std::string_view name) {
  if (name.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::array<uint8_t, 32> out{};
  for (size_t i = 0; i < 32; ++i) {
    int hi = nibble(name[2 * i]), lo = nibble(name[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace

template <class Map, class Key>
bool HalfSeenNames::complete_in(Map& map, Key&& key, bool sidecar) {
  auto it = map.find(key);
  if (it == map.end()) {
    map.emplace(std::forward<Key>(key), sidecar);
    return false;
  }
  if (it->second == sidecar) return false;  // the same half again: still waiting
  map.erase(it);
  return true;
}

bool HalfSeenNames::complete(std::string_view object, bool sidecar) {
  if (auto digest = lowercase_hex_digest(object)) return complete_in(digests_, *digest, sidecar);
  return complete_in(others_, std::string(object), sidecar);
}

}  // namespace astacus::storage::local

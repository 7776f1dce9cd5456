#pragma once
// Private to the local backend: while a directory is listed, the objects of which one half
// (data file or sidecar) has shown up and the other not yet. The directory comes in hash order,
// so about half the objects wait here at the worst moment. Blob names (64 lowercase hex digits)
// wait as their 32 bytes, about 70 bytes each with the map's node; as strings they took about
// 145, which at a million blobs was 70 MB held while the listing ran beside the snapshots.
//
// Thread-safety: none (one listing owns it).

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace astacus::storage::local {

class HalfSeenNames {
 public:
  /// Records the data file (`sidecar` false) or the sidecar of `object`; true when the other
  /// half was already seen, which completes (and forgets) the object.
  bool complete(std::string_view object, bool sidecar);
  /// Objects still waiting for their other half.
  size_t size() const { return digests_.size() + others_.size(); }

 private:
  using Digest = std::array<uint8_t, 32>;
  struct DigestHash {
    size_t operator()(const Digest& d) const noexcept {  // digest bytes are uniformly spread
      size_t h;
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class Map, class Key>
  static bool complete_in(Map& map, Key&& key, bool sidecar);

  std::unordered_map<Digest, bool, DigestHash> digests_;  // value: the half seen is the sidecar
  std::unordered_map<std::string, bool, NameHash, std::equal_to<>> others_;
};

}  // namespace astacus::storage::local

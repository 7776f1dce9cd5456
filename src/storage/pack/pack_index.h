#pragma once
// The "astpk1" pack format (an Astacus C++ extension, opt-in with object_storage.pack_small_blobs):
// small blobs are stored side by side in one pack object instead of one object (plus, on local
// storage, one sidecar) each. Layout under the site's prefix:
//   pack/<id>        the blobs' stored bytes (each encoded alone, as data/<hexdigest> would be),
//                    back to back
//   pack/<id>.idx    its index: which blobs it holds and where (encode_index), zstd-compressed,
//                    never encrypted (it holds the blob names, which data/ shows in the clear too)
// A pack counts only once its index is there and an index only while its pack is there, so a
// crash between the two leaves nothing that refers to missing bytes.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "storage/backend.h"

namespace astacus::storage::pack {

inline constexpr std::string_view kPackDir = "pack";
inline constexpr std::string_view kIndexSuffix = ".idx";

/// A BLAKE2s-256 blob name as bytes: 32 bytes where the hex name takes 64.
using Digest = std::array<uint8_t, 32>;

/// The 32 bytes of a 64-character lowercase hex name; nullopt for any other name (such a blob is
/// stored loose, as data/<name>).
std::optional<Digest> digest_of(std::string_view hexdigest);
std::string hex_of(const Digest& digest);

struct Entry {
  Digest digest{};
  uint64_t offset = 0;  // in the pack object
  uint32_t length = 0;  // stored bytes
};

struct Index {
  /// What every entry was encoded with (the metadata data/<hexdigest> would have had).
  Metadata entry_metadata;
  std::vector<Entry> entries;
};

/// "astpk1\n", u32 length + JSON array of [key, value] metadata pairs, u32 count, then per entry
/// 32 digest bytes, u64 offset, u32 length; integers little-endian.
std::string encode_index(const Index& index);
/// Corruption naming `key` for anything that is not such an index. (An entry past the end of its
/// pack shows as Corruption when it is read: Backend::get_range.)
Result<Index> decode_index(std::string_view bytes, const std::string& key);

std::string pack_key(std::string_view id);
std::string index_key(std::string_view id);

}  // namespace astacus::storage::pack

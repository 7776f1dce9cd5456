#include "storage/pack/pack_listing.h"

#include <algorithm>
#include <set>

#include "codec/compression.h"
#include "storage/object_store_keys.h"

namespace astacus::storage::pack {

Result<PackListing> list_packs(Backend& backend) {
  std::set<std::string> packs, indexes;
  ASTACUS_CHECK(backend.list_each(std::string(kPackDir), [&](std::string_view name) {
    if (name.ends_with(kIndexSuffix)) {
      indexes.emplace(name.substr(0, name.size() - kIndexSuffix.size()));
    } else {
      packs.emplace(name);
    }
  }));
  PackListing out;
  for (const auto& id : indexes) (packs.contains(id) ? out.ids : out.orphan_indexes).push_back(id);
  return out;
}

Result<Index> read_index(Backend& backend, const std::string& id) {
  std::string key = index_key(id);
  StoredObject stored = ASTACUS_TRY(backend.get(key));
  std::string algorithm = metadata_value(stored.metadata, kCompressionKey);
  std::string plain;
  if (!algorithm.empty()) {
    auto alg = codec::parse_compression(algorithm);
    if (!alg) return make_error(alg.error().with_context(fmt::format("pack index '{}' metadata", key)));
    auto decompressed = codec::decompress(*alg, stored.data);
    if (!decompressed) return make_error(decompressed.error().with_context(fmt::format("pack index '{}'", key)));
    plain = std::move(*decompressed);
  } else {
    plain = std::move(stored.data);
  }
  return decode_index(plain, key);
}

Status write_index(Backend& backend, const std::string& id, const Index& index) {
  std::string compressed = ASTACUS_TRY(codec::compress(codec::Compression::kZstd, 3, encode_index(index)));
  Metadata metadata = {{std::string(kCompressionKey), "zstd"}};
  return backend.put_batched(index_key(id), compressed, metadata);
}

Status for_each_index(Backend& backend, const std::function<Status(const std::string& id, const Index&)>& on_index) {
  PackListing listing = ASTACUS_TRY(list_packs(backend));
  for (const auto& id : listing.ids) {
    auto index = read_index(backend, id);
    // Removed since the listing (a cleanup elsewhere): it holds nothing any more.
    if (!index && index.error().code == ErrorCode::kNotFound) continue;
    if (!index) return make_error(index.error());
    ASTACUS_CHECK(on_index(id, *index));
  }
  return ok();
}

}  // namespace astacus::storage::pack

#include "storage/pack/pack_listing.h"

#include <set>

#include <spdlog/spdlog.h>

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
    auto index = read_index_or_skip(backend, id);
    if (!index) return make_error(index.error());
    if (*index) ASTACUS_CHECK(on_index(id, **index));
  }
  return ok();
}

Result<std::optional<Index>> read_index_or_skip(Backend& backend, const std::string& id) {
  auto index = read_index(backend, id);
  if (index) return std::optional<Index>(std::move(*index));
  // Removed since the listing (a cleanup elsewhere): it holds nothing any more.
  if (index.error().code == ErrorCode::kNotFound) return std::optional<Index>();
  if (index.error().code != ErrorCode::kCorruption) return make_error(index.error());
  spdlog::error("{} in {}: its pack's blobs count as absent (a backup stores them again); remove {} and {} to "
                "silence this",
                index.error().message, backend.describe(), pack_key(id), index_key(id));
  return std::optional<Index>();
}

}  // namespace astacus::storage::pack

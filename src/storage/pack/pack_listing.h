#pragma once
// Finding and reading the packs of a site (pack_index.h has the layout).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/pack/pack_index.h"

namespace astacus::storage::pack {

struct PackListing {
  std::vector<std::string> ids;             // complete packs: the pack and its index are both there
  std::vector<std::string> orphan_indexes;  // ids of indexes whose pack is gone (an interrupted sweep)
};

/// One listing of pack/.
Result<PackListing> list_packs(Backend& backend);

/// Reads and decodes the index of pack `id` (errors name the index object).
Result<Index> read_index(Backend& backend, const std::string& id);

/// read_index(), but an index removed since the listing, or corrupt, is nullopt: a corrupt one is
/// logged naming it, and its pack's blobs count as absent (a backup stores them again rather
/// than failing until someone removes it). Other errors (I/O, network) are errors.
Result<std::optional<Index>> read_index_or_skip(Backend& backend, const std::string& id);

/// Stores `index` as the index of pack `id` (zstd-compressed, batched like the pack before it).
Status write_index(Backend& backend, const std::string& id, const Index& index);

/// Hands the index of every complete pack to `on_index`, one at a time (read_index_or_skip).
Status for_each_index(Backend& backend, const std::function<Status(const std::string& id, const Index&)>& on_index);

}  // namespace astacus::storage::pack

#include "storage/pack/pack_catalog.h"

#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "storage/pack/pack_listing.h"

namespace astacus::storage::pack {

Status PackCatalog::load_once(Backend& backend) {
  {
    std::shared_lock lock(mutex_);
    if (loaded_) return ok();
  }
  std::lock_guard once(refresh_mutex_);
  {
    std::shared_lock lock(mutex_);
    if (loaded_) return ok();  // another thread loaded it meanwhile
  }
  return refresh_locked_by_caller(backend);
}

Status PackCatalog::refresh(Backend& backend) {
  std::lock_guard once(refresh_mutex_);
  return refresh_locked_by_caller(backend);
}

// Builds the new state beside the old one (finds go on meanwhile), then swaps it in.
Status PackCatalog::refresh_locked_by_caller(Backend& backend) {
  PackListing listing = ASTACUS_TRY(list_packs(backend));
  std::vector<std::string> ids;
  std::vector<Metadata> metadata;
  std::vector<Slot> slots;
  {
    std::shared_lock lock(mutex_);
    std::map<std::string_view, uint32_t> known;
    for (uint32_t i = 0; i < ids_.size(); ++i) known.emplace(ids_[i], i);
    std::vector<int64_t> renumbered(ids_.size(), -1);
    for (const auto& id : listing.ids) {
      auto it = known.find(id);
      if (it == known.end()) continue;
      renumbered[it->second] = static_cast<int64_t>(ids.size());
      ids.push_back(id);
      metadata.push_back(metadata_[it->second]);
    }
    for (const auto& slot : slots_) {
      if (renumbered[slot.pack] >= 0) slots.push_back(Slot{slot.digest, static_cast<uint32_t>(renumbered[slot.pack]), slot.length, slot.offset});
    }
  }
  std::vector<std::string> fresh;
  std::set_difference(listing.ids.begin(), listing.ids.end(), ids.begin(), ids.end(), std::back_inserter(fresh));
  for (const auto& id : fresh) {
    auto index = ASTACUS_TRY(read_index_or_skip(backend, id));
    if (!index) continue;
    auto pack = static_cast<uint32_t>(ids.size());
    ids.push_back(id);
    metadata.push_back(std::move(index->entry_metadata));
    for (const auto& e : index->entries) slots.push_back(Slot{e.digest, pack, e.length, e.offset});
  }
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.digest < b.digest; });
  std::unique_lock lock(mutex_);
  ids_ = std::move(ids);
  metadata_ = std::move(metadata);
  slots_ = std::move(slots);
  loaded_ = true;
  return ok();
}

void PackCatalog::clear() {
  std::lock_guard once(refresh_mutex_);
  std::unique_lock lock(mutex_);
  std::vector<std::string>().swap(ids_);
  std::vector<Metadata>().swap(metadata_);
  std::vector<Slot>().swap(slots_);
  loaded_ = false;
}

std::optional<Location> PackCatalog::find(std::string_view hexdigest) const {
  auto digest = digest_of(hexdigest);
  if (!digest) return std::nullopt;
  std::shared_lock lock(mutex_);
  auto it = std::lower_bound(slots_.begin(), slots_.end(), *digest,
                             [](const Slot& slot, const Digest& d) { return slot.digest < d; });
  if (it == slots_.end() || it->digest != *digest) return std::nullopt;
  return Location{pack_key(ids_[it->pack]), it->offset, it->length, metadata_[it->pack]};
}

namespace {

bool removed(Backend& backend, const std::string& key, SweepCounts& counts) {
  Status status = backend.remove(key);
  if (status || status.error().code == ErrorCode::kNotFound) return true;
  spdlog::warn("cleanup: cannot remove {}: {}", key, status.error().message);
  ++counts.failed;
  return false;
}

}  // namespace

Result<SweepCounts> sweep_packs(Backend& backend, const std::function<bool(std::string_view hexdigest)>& is_kept) {
  SweepCounts counts;
  PackListing listing = ASTACUS_TRY(list_packs(backend));
  for (const auto& id : listing.ids) {
    auto index = ASTACUS_TRY(read_index_or_skip(backend, id));
    if (!index) {
      // A corrupt index (logged): which blobs its pack holds is unknown, so the pack stays.
      counts.failed += backend.exists(index_key(id)).value_or(false) ? 1 : 0;
      continue;
    }
    size_t kept = 0;
    for (const auto& entry : index->entries) kept += is_kept(hex_of(entry.digest)) ? 1 : 0;
    if (kept > 0) {
      ++counts.packs_kept;
      counts.unreferenced_kept += index->entries.size() - kept;
      continue;
    }
    // The pack goes first: an index left behind by a crash is an orphan the next sweep removes.
    if (!removed(backend, pack_key(id), counts) || !removed(backend, index_key(id), counts)) continue;
    ++counts.packs_removed;
    counts.blobs_removed += index->entries.size();
  }
  for (const auto& id : listing.orphan_indexes) removed(backend, index_key(id), counts);
  return counts;
}

}  // namespace astacus::storage::pack

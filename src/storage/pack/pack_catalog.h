#pragma once
// Where each packed blob of a site is, for reads (pack_index.h has the layout).

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/pack/pack_index.h"

namespace astacus::storage::pack {

struct Location {
  std::string pack_key;  // pack/<id>
  uint64_t offset = 0;
  uint32_t length = 0;
  Metadata metadata;  // what the blob was encoded with
};

/// The entries of every complete pack seen at the last refresh(), sorted by digest: 48 bytes per
/// packed blob. Thread safety: find() and refresh() may run from several threads.
class PackCatalog {
 public:
  /// Lists the packs again: reads the indexes of new ones, forgets those gone.
  Status refresh(Backend& backend);
  /// Refreshes when the catalog was never loaded.
  Status load_once(Backend& backend);
  std::optional<Location> find(std::string_view hexdigest) const;
  /// Frees the entries; the next load_once() reads the indexes again.
  void clear();

 private:
  struct Slot {
    Digest digest;
    uint32_t pack;  // in ids_
    uint32_t length;
    uint64_t offset;
  };

  /// refresh() with refresh_mutex_ held.
  Status refresh_locked_by_caller(Backend& backend);

  std::mutex refresh_mutex_;  // one refresh at a time
  mutable std::shared_mutex mutex_;
  bool loaded_ = false;
  std::vector<std::string> ids_;
  std::vector<Metadata> metadata_;  // by pack
  std::vector<Slot> slots_;         // sorted by digest
};

struct SweepCounts {
  size_t packs_removed = 0;
  size_t blobs_removed = 0;       // in the packs removed
  size_t packs_kept = 0;
  size_t unreferenced_kept = 0;   // blobs no backup needs, in packs kept for other blobs
  size_t failed = 0;              // packs or indexes that could not be removed (logged)
};

/// Removes every complete pack none of whose blobs `is_kept` (the pack, then its index), and the
/// indexes whose pack is gone. A pack with one kept blob is kept whole.
Result<SweepCounts> sweep_packs(Backend& backend, const std::function<bool(std::string_view hexdigest)>& is_kept);

}  // namespace astacus::storage::pack

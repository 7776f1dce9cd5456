#pragma once
// Stores the new small blobs of a snapshot while the snapshot reads them, when the site packs
// small blobs (storage/pack/): the upload that follows then neither opens nor reads those files
// a second time. Per small file the upload's open, stat, read and second hash cost more than
// compressing and packing the bytes the snapshot already holds.
//
// Blobs the site already has are not stored again: a listing of the site, taken on a thread
// while the snapshot walks, is kept as the first 8 bytes of each digest (8 bytes per blob of the
// site); a new blob that shares them with a stored one is left to the upload, which asks the
// coordinator's exact listing. Files read before the listing is in wait for it in memory, up to
// 32 MiB (what does not fit is left to the upload), and the snapshot ends once it is in, as the
// coordinator's upload step waits for its own listing. Each node lists the site once per backup
// this way: without it, the first backup after a restore or a lost snapshot DB would store every
// small blob a second time. Two files of one snapshot with the same new content may both be
// stored (a few duplicate bytes in a pack, never a wrong one).

#include <array>
#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "snapshot/snapshotter.h"
#include "storage/object_store.h"

namespace astacus::node {

/// The blobs one snapshot stored in site `storage`, for the upload that follows it.
class StoredBySnapshot {
 public:
  struct Entry {
    std::array<uint8_t, 16> digest_head;  // first half of the BLAKE2s digest: no collision in practice
    uint32_t stored_bytes;
  };
  StoredBySnapshot() = default;
  StoredBySnapshot(std::string storage, std::vector<Entry> entries);

  /// The stored size of `hexdigest` if this snapshot stored it in `storage`.
  std::optional<uint64_t> find(const std::string& storage, const std::string& hexdigest) const;

 private:
  std::string storage_;
  std::vector<Entry> entries_;  // sorted by digest_head, each once
};

/// One snapshot's eager storing into `store` (see the file comment).
class EagerBlobs {
 public:
  /// Starts the listing of `store` and a new data key (astdk1: one per backup, as uploads do).
  explicit EagerBlobs(std::shared_ptr<storage::ObjectStore> store);
  ~EagerBlobs();
  EagerBlobs(const EagerBlobs&) = delete;
  EagerBlobs& operator=(const EagerBlobs&) = delete;

  /// What the snapshot offers its small files to; valid while this object lives.
  const snapshot::ContentSink& sink() const { return sink_; }
  /// Makes what was stored durable and visible (ObjectStore::flush) and says what it was. Empty
  /// when the flush failed: the upload then stores those blobs itself.
  StoredBySnapshot finish();

 private:
  void take(const std::string& hexdigest, std::string_view bytes);
  /// Whether the listing is in (`wait`: waits for it). stored_heads_ is set from then on.
  bool listing_done(bool wait);
  /// Keeps a blob read before the listing was in, up to kMaxPendingBytes in all: a big site's
  /// listing must not hold up the snapshot, and what does not fit is left to the upload.
  void hold(const std::string& hexdigest, std::string_view bytes);
  void store_pending();
  /// Stores the blob unless the listing shows (or may show) it. REQUIRES: listing_done().
  void store_if_new(const std::string& hexdigest, std::string_view bytes);

  static constexpr size_t kMaxPendingBytes = size_t{32} << 20;
  struct Pending {
    std::string hexdigest;
    std::string bytes;
  };

  std::shared_ptr<storage::ObjectStore> store_;
  snapshot::ContentSink sink_;
  std::future<std::optional<std::vector<uint64_t>>> listing_;
  std::mutex listing_mu_;  // taking the listing's result
  std::atomic<bool> listing_taken_{false};
  std::optional<std::vector<uint64_t>> stored_heads_;  // sorted heads; nullopt if the listing failed
  std::mutex mu_;  // guards the members below
  std::vector<Pending> pending_;
  size_t pending_bytes_ = 0;
  std::vector<StoredBySnapshot::Entry> stored_;
  int64_t failures_ = 0;
};

}  // namespace astacus::node

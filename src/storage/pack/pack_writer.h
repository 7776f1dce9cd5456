#pragma once
// Fills pack objects with small blobs' stored bytes (pack_index.h has the layout).

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "storage/backend.h"
#include "storage/pack/pack_index.h"

namespace astacus::storage::pack {

/// Appends blobs to an open pack object (streamed into the backend's batched writer, so a pack
/// needs no buffer of its size) until it holds `target_bytes`, then commits it and writes its
/// index. Both are batched: they become visible at the backend's next flush(), pack first.
/// An error spoils the open pack: close() then reports it, so an upload that had blobs in that
/// pack cannot succeed. Thread safety: add() and close() may be called from several threads.
class PackWriter {
 public:
  PackWriter(Backend& backend, Metadata entry_metadata, uint64_t target_bytes);

  /// Adds one blob (its stored bytes, encoded with the entry metadata).
  Status add(const Digest& digest, std::string_view stored);
  /// Commits the open pack, if any, and writes its index; reports an error of the open pack.
  Status close();

 private:
  Status open_locked();
  Status close_locked();

  Backend& backend_;
  Metadata entry_metadata_;
  uint64_t target_bytes_;
  std::mutex mutex_;
  std::string id_;
  std::unique_ptr<ObjectWriter> writer_;
  Index index_;
  uint64_t size_ = 0;
  std::optional<Error> error_;  // of the open pack
};

}  // namespace astacus::storage::pack

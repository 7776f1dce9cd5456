#pragma once
// Which blobs each backup references, for cleanup: every distinct blob name is stored once and
// each backup keeps only 4-byte indexes into that table. Successive backups of a cluster share
// almost all of their blobs, so keeping one name list per manifest (what cleanup did before)
// cost a name per file per retained backup; this costs one name per distinct blob.
//
// Thread-safety: none; one cleanup owns one instance.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "coordinator/hexdigest_index.h"
#include "manifest/hexdigest.h"
#include "manifest/types.h"

namespace astacus::coordinator {

class BlobReferences {
 public:
  /// Records the blob names of every snapshot result of `manifest` under `backup`.
  void add(const std::string& backup, const manifest::BackupManifest& manifest);

  /// Marks the blobs of `backups` as kept (backups never added are ignored). Call once, after
  /// every add; `is_kept` answers afterwards.
  void keep(const std::vector<std::string>& backups);

  /// Whether a blob named `digest` is referenced by a kept backup.
  bool is_kept(const manifest::Hexdigest& digest) const;

  size_t distinct_blobs() const { return index_.size(); }

 private:
  HexdigestIndex index_;  // ~40 B per distinct blob (a hash map of Hexdigest: ~88 B)
  std::unordered_map<std::string, std::vector<uint32_t>> blobs_of_backup_;
  std::vector<bool> kept_;  // by index
};

}  // namespace astacus::coordinator

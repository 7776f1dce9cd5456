#include "coordinator/blob_references.h"

namespace astacus::coordinator {

void BlobReferences::add(const std::string& backup, const manifest::BackupManifest& manifest) {
  auto& indexes = blobs_of_backup_[backup];
  for (const auto& result : manifest.snapshot_results) {
    if (!result.hashes) continue;
    indexes.reserve(indexes.size() + result.hashes->size());
    for (const auto& h : *result.hashes) {
      indexes.push_back(index_.add(h.hexdigest));
    }
  }
  indexes.shrink_to_fit();
}

void BlobReferences::keep(const std::vector<std::string>& backups) {
  kept_.assign(index_.size(), false);
  for (const auto& backup : backups) {
    auto it = blobs_of_backup_.find(backup);
    if (it == blobs_of_backup_.end()) continue;
    for (uint32_t index : it->second) kept_[index] = true;
  }
  blobs_of_backup_.clear();
}

bool BlobReferences::is_kept(const manifest::Hexdigest& digest) const {
  auto index = index_.find(digest);
  return index && *index < kept_.size() && kept_[*index];
}

}  // namespace astacus::coordinator

#include "coordinator/blob_references.h"

namespace astacus::coordinator {

void BlobReferences::add(const std::string& backup, const manifest::BackupManifest& manifest) {
  auto& indexes = blobs_of_backup_[backup];
  for (const auto& result : manifest.snapshot_results) {
    if (!result.hashes) continue;
    indexes.reserve(indexes.size() + result.hashes->size());
    for (const auto& h : *result.hashes) {
      auto next = static_cast<uint32_t>(index_of_.size());
      indexes.push_back(index_of_.try_emplace(h.hexdigest, next).first->second);
    }
  }
  indexes.shrink_to_fit();
}

void BlobReferences::keep(const std::vector<std::string>& backups) {
  kept_.assign(index_of_.size(), false);
  for (const auto& backup : backups) {
    auto it = blobs_of_backup_.find(backup);
    if (it == blobs_of_backup_.end()) continue;
    for (uint32_t index : it->second) kept_[index] = true;
  }
  blobs_of_backup_.clear();
}

bool BlobReferences::is_kept(const manifest::Hexdigest& digest) const {
  auto it = index_of_.find(digest);
  return it != index_of_.end() && it->second < kept_.size() && kept_[it->second];
}

}  // namespace astacus::coordinator

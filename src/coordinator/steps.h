#pragma once
// The generic steps every file-based plugin is built from (spec §10.1):
// backup  = Snapshot -> ListHexdigests -> UploadBlocks -> UploadManifest
// restore = BackupName -> BackupManifest -> MapNodes -> Restore

#include <string>
#include <vector>

#include "coordinator/step.h"
#include "snapshot/glob.h"

namespace astacus::coordinator {

/// Every node snapshots the given groups; results land in context.snapshot_results. Storage's
/// data/ listing starts at the same time (context.hexdigest_listing), for ListHexdigestsStep.
class SnapshotStep : public Step {
 public:
  explicit SnapshotStep(std::vector<snapshot::SnapshotGroup> groups) : groups_(std::move(groups)) {}
  std::string name() const override { return "SnapshotStep"; }
  Status run(OpContext& context) override;

 private:
  std::vector<snapshot::SnapshotGroup> groups_;
};

/// Lists data/ of the target storage so existing blobs are not uploaded again (taking over the
/// listing SnapshotStep started, when there is one).
class ListHexdigestsStep : public Step {
 public:
  std::string name() const override { return "ListHexdigestsStep"; }
  Status run(OpContext& context) override;
};

/// Distributes missing blobs over the nodes holding them (§6.5) and uploads them.
class UploadBlocksStep : public Step {
 public:
  std::string name() const override { return "UploadBlocksStep"; }
  Status run(OpContext& context) override;
};

/// Writes json/backup-<time> last; never overwrites an existing manifest.
class UploadManifestStep : public Step {
 public:
  std::string name() const override { return "UploadManifestStep"; }
  Status run(OpContext& context) override;
};

/// Resolves the backup to restore: the request's name (prefix added) or the newest backup-.
class BackupNameStep : public Step {
 public:
  std::string name() const override { return "BackupNameStep"; }
  Status run(OpContext& context) override;
};

class BackupManifestStep : public Step {
 public:
  std::string name() const override { return "BackupManifestStep"; }
  Status run(OpContext& context) override;
};

class MapNodesStep : public Step {
 public:
  std::string name() const override { return "MapNodesStep"; }
  Status run(OpContext& context) override;
};

/// Mapped nodes download their backup node's files; unmapped nodes are cleared (full restore).
class RestoreStep : public Step {
 public:
  std::string name() const override { return "RestoreStep"; }
  Status run(OpContext& context) override;
};

}  // namespace astacus::coordinator

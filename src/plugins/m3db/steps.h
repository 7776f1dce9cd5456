#pragma once
// The m3db plugin's own steps (spec §10.2). Everything heavy (files) is the generic steps'
// work; these keep M3's etcd state consistent with the files:
//   backup  = Init -> RetrieveEtcd -> Snapshot(**/*.db) -> ListHexdigests -> UploadBlocks ->
//             RetrieveEtcdAgain -> CreateM3Manifest -> UploadManifest
//   restore = Init -> BackupName -> BackupManifest -> MapNodes -> RewriteEtcd -> RestoreEtcd ->
//             Restore
// State between steps of one attempt lives in context.plugin_data: on backup it becomes the
// manifest's m3db record ({"etcd": dump, "placement_nodes": [...]}); on restore "etcd" holds the
// rewritten dump that RestoreEtcdStep writes.

#include <string>
#include <vector>

#include "coordinator/step.h"
#include "plugins/etcd/client.h"
#include "plugins/m3db/config.h"

namespace astacus::plugins::m3db {

/// Backup and restore: exactly one placement node per coordinator node, else a permanent
/// failure naming both counts.
class InitStep : public coordinator::Step {
 public:
  explicit InitStep(M3dbConfig config) : config_(std::move(config)) {}
  std::string name() const override { return "InitStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  M3dbConfig config_;
};

/// Backup: reads M3's etcd prefixes into plugin_data["etcd"]. An empty prefix is valid; etcd
/// down or failing is a retryable error naming etcd and the prefix.
class RetrieveEtcdStep : public coordinator::Step {
 public:
  RetrieveEtcdStep(etcd::Client client, std::vector<std::string> prefixes)
      : client_(std::move(client)), prefixes_(std::move(prefixes)) {}
  std::string name() const override { return "RetrieveEtcdStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  etcd::Client client_;
  std::vector<std::string> prefixes_;
};

/// Backup, after the upload: reads the prefixes again. Any change since RetrieveEtcdStep means
/// the files may not match the etcd state: a retryable failure naming the changed prefix.
class RetrieveEtcdAgainStep : public coordinator::Step {
 public:
  RetrieveEtcdAgainStep(etcd::Client client, std::vector<std::string> prefixes)
      : client_(std::move(client)), prefixes_(std::move(prefixes)) {}
  std::string name() const override { return "RetrieveEtcdAgainStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  etcd::Client client_;
  std::vector<std::string> prefixes_;
};

/// Backup: adds placement_nodes to plugin_data, completing the manifest's m3db record.
class CreateM3ManifestStep : public coordinator::Step {
 public:
  explicit CreateM3ManifestStep(std::vector<PlacementNode> nodes) : nodes_(std::move(nodes)) {}
  std::string name() const override { return "CreateM3ManifestStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  std::vector<PlacementNode> nodes_;
};

/// Restore: the backup's etcd dump with every placement rewritten for the node each backup node
/// is restored to (MapNodesStep's mapping): id, endpoint, hostname from this config's
/// placement_nodes, isolation group from the node's az. Into plugin_data["etcd"]. Skipped for a
/// partial restore: etcd is then left alone. Permanent errors name the backup and the key.
class RewriteEtcdStep : public coordinator::Step {
 public:
  explicit RewriteEtcdStep(M3dbConfig config) : config_(std::move(config)) {}
  std::string name() const override { return "RewriteEtcdStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  M3dbConfig config_;
};

/// Restore: per prefix, deletes every key under it, then puts every key of plugin_data["etcd"].
/// Skipped for a partial restore.
class RestoreEtcdStep : public coordinator::Step {
 public:
  explicit RestoreEtcdStep(etcd::Client client) : client_(std::move(client)) {}
  std::string name() const override { return "RestoreEtcdStep"; }
  Status run(coordinator::OpContext& context) override;

 private:
  etcd::Client client_;
};

}  // namespace astacus::plugins::m3db

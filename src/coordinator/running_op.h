#pragma once
// The coordinator's current op (private to coordinator.cc / coordinator_ops.cc).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "coordinator/cluster.h"
#include "coordinator/cluster_lock.h"
#include "coordinator/coordinator.h"
#include "manifest/types.h"
#include "storage/traffic.h"

namespace astacus::coordinator {

/// The current coordinator op: its id, status, and the last progress of each step.
struct Coordinator::RunningOp {
  int64_t id = 0;
  std::string name;
  bool has_progress = false;
  std::string status_base;
  SubResultSignal signal;
  std::unique_ptr<ClusterLock> lock;
  std::shared_ptr<const config::GlobalConfig> config;

  storage::TrafficTally traffic;  // requests and bytes per site, nodes' and the coordinator's

  std::mutex mutex;
  std::map<std::string, manifest::Progress> step_progress;
  std::string error;

  manifest::Progress progress() {
    std::lock_guard guard(mutex);
    std::vector<manifest::Progress> parts;
    for (const auto& [step, p] : step_progress) parts.push_back(p);
    return manifest::Progress::merge(parts);
  }
};

}  // namespace astacus::coordinator

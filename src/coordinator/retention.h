#pragma once
// Which backups a cleanup keeps (spec §9, Python coordinator/plugins/base.py:
// _prune_manifests and ComputeKeptBackupsStep). Pure functions; the engine lists, downloads
// and deletes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"

namespace astacus::coordinator {

/// Python ipc.Retention: every limit is optional.
struct Retention {
  std::optional<int64_t> minimum_backups;
  std::optional<int64_t> maximum_backups;
  std::optional<int64_t> keep_days;

  bool operator==(const Retention&) const = default;
};

/// The configured retention with each field replaced by the request's value when that is set.
Retention effective_retention(const Retention& configured, const std::optional<Retention>& request);

/// What retention needs of a manifest (Python ManifestMin).
struct BackupTimes {
  std::string name;  // manifest name, e.g. "backup-2020-02-02T00:00:00+00:00"
  SystemTime start;
  SystemTime end;
};

struct PruneResult {
  std::vector<std::string> kept;     // newest first (by start, end, name)
  std::vector<std::string> deleted;  // sorted by name; includes the explicitly deleted ones
};

/// Applies `retention` to `backups` (only the "backup-" manifests; the caller filters):
/// names in `explicit_delete` are removed first (unknown names ignored, even below minimum);
/// the rest is sorted newest first by (start, end, name); if minimum_backups is set and >= the
/// count everything is kept; otherwise, looking at the oldest remaining: drop it while the
/// count exceeds maximum_backups; stop once the count is <= minimum_backups; drop it when
/// the WHOLE days elapsed since its end (floored, as Python timedelta.days) are > keep_days;
/// else stop.
PruneResult prune_backups(const std::vector<BackupTimes>& backups, const Retention& retention,
                          SystemTime now, const std::vector<std::string>& explicit_delete = {});

}  // namespace astacus::coordinator

#pragma once
// Object and backup names (Python common/magic.py, coordinator/plugins/base.py):
// manifests live under "json/<name>", blobs under "data/<hexdigest>", and a backup is named
// "backup-" + isoformat(attempt start, seconds), e.g. "backup-2026-11-24T07:30:26+00:00".

#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace astacus::manifest {

inline constexpr std::string_view kBackupPrefix = "backup-";
inline constexpr std::string_view kDeltaPrefix = "delta-";  // Cassandra delta manifests
inline constexpr std::string_view kJsonPrefix = "json/";
inline constexpr std::string_view kDataPrefix = "data/";

/// "backup-" + format_iso_seconds(attempt_start).
std::string backup_name_for(SystemTime attempt_start);

/// A name for a new backup that is not in `existing` (manifest names, without "json/").
/// Python named two backups started in the same second identically and the second overwrote
/// the first; we bump the time by one second until the name is free, keeping the Python
/// format so Python-era tools still parse it.
std::string unique_backup_name(SystemTime attempt_start, const std::vector<std::string>& existing);

/// True when `name` starts with "backup-".
bool is_backup_name(std::string_view name);

/// Adds "backup-" unless already present (restore accepts either form).
std::string with_backup_prefix(std::string_view name);

/// The name /list shows: `name` without a leading "backup-" (unchanged otherwise).
std::string list_display_name(std::string_view name);

/// "data/" + hexdigest: the object key of a blob.
std::string blob_key(std::string_view hexdigest);

/// "json/" + name: the object key of a manifest.
std::string manifest_key(std::string_view name);

}  // namespace astacus::manifest

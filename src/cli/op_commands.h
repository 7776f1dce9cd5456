#pragma once
// The asynchronous op commands (backup, restore, cleanup, delete, delta backup): building the
// request from the arguments, then Python's `client._run_op`:
//   print "Starting <label>..", POST <url>/<path> (timeout 10 s), and without -w (or -w 0)
//   print ".. which took <secs> seconds" -> 0; with -w N poll the answer's status_url
//   (see wait.h): done -> ".. which took <secs> seconds" 0, fail -> ".. which eventually
//   failed" 1, out of time -> ".. which timed out" 1. Request failures -> 1 (logged).

#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace astacus::cli {

struct OpRequest {
  std::string label;                // printed: "backup", "restore", "cleanup", "delta/backup"
  std::string path;                 // appended to the URL: "backup", "delta/backup", ...
  std::optional<std::string> body;  // JSON text, keys in Python's order
};

struct RestoreArgs {
  std::optional<std::string> storage;
  std::optional<std::string> backup;  // with or without "backup-"; the server accepts both
  std::optional<std::string> stop_after_step;
};

struct CleanupArgs {
  std::optional<std::string> storage;  // site to clean (default: default_storage)
  std::optional<int> minimum_backups;  // given values are sent even when 0 (Python drops 0s)
  std::optional<int> maximum_backups;
  std::optional<int> keep_days;
};

struct CopyArgs {
  std::string from;
  std::string to;
  std::vector<std::string> backups;  // empty = every backup of `from`
};

OpRequest backup_request();
/// POST /copy {"from","to","backups"} (names get "backup-" when they lack it).
OpRequest copy_request(const CopyArgs& args);
OpRequest delta_backup_request();
/// Body {"storage","name","stop_after_step"} with only the given keys ("{}" when none).
OpRequest restore_request(const RestoreArgs& args);
/// Body {"retention":{minimum_backups,maximum_backups,keep_days}} with the given keys, or "{}".
OpRequest cleanup_request(const CleanupArgs& args);
/// POST /cleanup {"explicit_delete":[...]} with "backup-" added to names that lack it.
OpRequest delete_request(const std::vector<std::string>& names);

/// "2026-..." -> "backup-2026-..."; names already starting with "backup-" are kept.
std::string with_backup_prefix(const std::string& name);

/// Runs the op; returns the process exit code.
int run_op(Context& ctx, const OpRequest& request);

}  // namespace astacus::cli

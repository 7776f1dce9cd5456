#include "coordinator/retention.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>

namespace astacus::coordinator {

Retention effective_retention(const Retention& configured,
                              const std::optional<Retention>& request) {
  Retention out = configured;
  if (!request) return out;
  if (request->minimum_backups) out.minimum_backups = request->minimum_backups;
  if (request->maximum_backups) out.maximum_backups = request->maximum_backups;
  if (request->keep_days) out.keep_days = request->keep_days;
  return out;
}

namespace {

/// Python `(now - end).days`: whole days, floored.
int64_t whole_days(SystemTime now, SystemTime end) {
  constexpr int64_t kDay = int64_t{86400} * 1000000;
  int64_t us = (now - end).count();
  int64_t days = us / kDay;
  return (us % kDay != 0 && us < 0) ? days - 1 : days;
}

/// The newest-first list after retention (Python _prune_manifests).
std::vector<BackupTimes> prune(std::vector<BackupTimes> backups, const Retention& r,
                               SystemTime now) {
  std::sort(backups.begin(), backups.end(), [](const BackupTimes& a, const BackupTimes& b) {
    return std::tie(a.start, a.end, a.name) > std::tie(b.start, b.end, b.name);
  });
  auto count = [&] { return static_cast<int64_t>(backups.size()); };
  if (r.minimum_backups && *r.minimum_backups >= count()) return backups;
  while (!backups.empty()) {
    if (r.maximum_backups && *r.maximum_backups < count()) {
      backups.pop_back();
      continue;
    }
    if (r.minimum_backups && *r.minimum_backups >= count()) break;
    if (r.keep_days && whole_days(now, backups.back().end) > *r.keep_days) {
      backups.pop_back();
      continue;
    }
    break;
  }
  return backups;
}

}  // namespace

PruneResult prune_backups(const std::vector<BackupTimes>& backups, const Retention& retention,
                          SystemTime now, const std::vector<std::string>& explicit_delete) {
  std::set<std::string> doomed(explicit_delete.begin(), explicit_delete.end());
  std::vector<BackupTimes> candidates;
  for (const auto& b : backups) {
    if (!doomed.count(b.name)) candidates.push_back(b);
  }
  PruneResult out;
  std::set<std::string> kept;
  for (const auto& b : prune(std::move(candidates), retention, now)) {
    out.kept.push_back(b.name);
    kept.insert(b.name);
  }
  std::set<std::string> deleted;
  for (const auto& b : backups) {
    if (!kept.count(b.name)) deleted.insert(b.name);
  }
  out.deleted.assign(deleted.begin(), deleted.end());
  return out;
}

}  // namespace astacus::coordinator

#include "manifest/naming.h"

#include <chrono>
#include <unordered_set>

namespace astacus::manifest {

std::string backup_name_for(SystemTime attempt_start) {
  return std::string(kBackupPrefix) + format_iso_seconds(attempt_start);
}

std::string unique_backup_name(SystemTime attempt_start, const std::vector<std::string>& existing) {
  std::unordered_set<std::string_view> taken(existing.begin(), existing.end());
  SystemTime t = attempt_start;
  std::string name = backup_name_for(t);
  while (taken.count(name)) {
    t += std::chrono::seconds(1);
    name = backup_name_for(t);
  }
  return name;
}

bool is_backup_name(std::string_view name) { return name.starts_with(kBackupPrefix); }

std::string with_backup_prefix(std::string_view name) {
  if (is_backup_name(name)) return std::string(name);
  return std::string(kBackupPrefix) + std::string(name);
}

std::string list_display_name(std::string_view name) {
  if (is_backup_name(name)) name.remove_prefix(kBackupPrefix.size());
  return std::string(name);
}

std::string blob_key(std::string_view hexdigest) {
  return std::string(kDataPrefix) + std::string(hexdigest);
}

std::string manifest_key(std::string_view name) {
  return std::string(kJsonPrefix) + std::string(name);
}

}  // namespace astacus::manifest

#pragma once
// Internal to the manifest layer's JSON readers: a field path that is formatted only when an
// error is reported ("snapshot_results[0].state.files[3].mtime_ns"), plus the shared readers
// json_manifest.cc needs from json_read.cc.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/time.h"
#include "manifest/types.h"

namespace astacus::manifest::detail {

/// One step of a path: an object member (`key`) or an array element (`index`). The root has
/// no parent and `key` holds the caller's prefix ("" for the top level).
struct FieldPath {
  static constexpr size_t kNotIndex = std::numeric_limits<size_t>::max();
  const FieldPath* parent = nullptr;
  std::string_view key;
  size_t index = kNotIndex;

  std::string str() const;
};

/// InvalidArgument "<path>: <what>" (just "<what>" for an empty path).
tl::unexpected<Error> field_error(const FieldPath& path, std::string_view what);

Result<SnapshotResult> snapshot_result_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<SnapshotUploadResult> upload_result_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<SnapshotFile> snapshot_file_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<SnapshotHash> snapshot_hash_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<int64_t> int_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<std::string> string_at(const nlohmann::ordered_json& j, const FieldPath& p);
Result<SystemTime> time_at(const nlohmann::ordered_json& j, const FieldPath& p);

}  // namespace astacus::manifest::detail

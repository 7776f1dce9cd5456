// Reading side of json.h. Parsers are templates over the JSON type so HTTP bodies
// (nlohmann::json) and stored manifests (nlohmann::ordered_json) share one implementation.

#include <limits>

#include "base/encoding.h"
#include "base/paths.h"
#include "manifest/json.h"
#include "manifest/json_path.h"

namespace astacus::manifest {

namespace {

using detail::field_error;
using detail::FieldPath;

template <class J>
Result<int64_t> read_int(const J& v, const FieldPath& p) {
  if (!v.is_number_integer()) return field_error(p, "expected integer");
  if (v.is_number_unsigned() &&
      v.template get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return field_error(p, "integer out of range");
  }
  return v.template get<int64_t>();
}

template <class J>
Result<int64_t> read_size(const J& v, const FieldPath& p) {
  int64_t n = ASTACUS_TRY(read_int(v, p));
  if (n < 0) return field_error(p, fmt::format("must be >= 0, got {}", n));
  return n;
}

template <class J>
Result<bool> read_bool(const J& v, const FieldPath& p) {
  if (!v.is_boolean()) return field_error(p, "expected boolean");
  return v.template get<bool>();
}

template <class J>
Result<std::string> read_string(const J& v, const FieldPath& p) {
  if (!v.is_string()) return field_error(p, "expected string");
  return v.template get<std::string>();
}

template <class J>
Result<SystemTime> read_time(const J& v, const FieldPath& p) {
  if (!v.is_string()) return field_error(p, "expected timestamp string");
  const auto& text = v.template get_ref<const std::string&>();
  Result<SystemTime> t = errorf(ErrorCode::kInvalidArgument, "invalid timestamp '{}'", text);
  try {
    t = parse_rfc3339(text);
  } catch (const std::exception&) {
  }
  if (!t) return field_error(p, fmt::format("invalid timestamp '{}'", text));
  return *t;
}

template <class J>
Result<std::string> read_hexdigest(const J& v, const FieldPath& p) {
  std::string hex = ASTACUS_TRY(read_string(v, p));
  if (!is_valid_hexdigest(hex)) {
    return field_error(
        p, fmt::format("invalid hexdigest '{}' (expected 64 lowercase hex digits)", hex));
  }
  return hex;
}

template <class J>
Status expect_object(const J& v, const FieldPath& p) {
  if (!v.is_object()) return field_error(p, "expected object");
  return ok();
}

/// Calls `reader(element, element_path)` for every element of the array `v`.
template <class T, class J, class F>
Result<std::vector<T>> read_array(const J& v, const FieldPath& p, F reader) {
  if (!v.is_array()) return field_error(p, "expected array");
  std::vector<T> out;
  out.reserve(v.size());
  size_t i = 0;
  for (const auto& element : v) {
    FieldPath ep{&p, {}, i++};
    out.push_back(ASTACUS_TRY(reader(element, ep)));
  }
  return out;
}

/// The member `key` of object `obj`, or nullptr when missing.
template <class J>
const J* member(const J& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

template <class J>
Result<const J*> required(const J& obj, const char* key, const FieldPath& p) {
  const J* v = member(obj, key);
  if (!v) return field_error(FieldPath{&p, key}, "missing required field");
  return v;
}

template <class J>
Result<Progress> progress_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  Progress out;
  if (auto* v = member(j, "handled")) out.handled = ASTACUS_TRY(read_int(*v, {&p, "handled"}));
  if (auto* v = member(j, "failed")) out.failed = ASTACUS_TRY(read_int(*v, {&p, "failed"}));
  if (auto* v = member(j, "total")) out.total = ASTACUS_TRY(read_int(*v, {&p, "total"}));
  if (auto* v = member(j, "final")) out.final = ASTACUS_TRY(read_bool(*v, {&p, "final"}));
  return out;
}

template <class J>
Result<SnapshotHash> snapshot_hash_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  SnapshotHash out;
  const J* hex = ASTACUS_TRY(required(j, "hexdigest", p));
  out.hexdigest = ASTACUS_TRY(read_hexdigest(*hex, {&p, "hexdigest"}));
  const J* size = ASTACUS_TRY(required(j, "size", p));
  out.size = ASTACUS_TRY(read_size(*size, {&p, "size"}));
  return out;
}

template <class J>
Result<SnapshotFile> snapshot_file_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  SnapshotFile out;
  FieldPath path_p{&p, "relative_path"};
  const J* rel = ASTACUS_TRY(required(j, "relative_path", p));
  out.relative_path = ASTACUS_TRY(read_string(*rel, path_p));
  if (!is_safe_relative_path(out.relative_path)) {
    return field_error(path_p, fmt::format("refusing path '{}'", out.relative_path));
  }
  const J* size = ASTACUS_TRY(required(j, "file_size", p));
  out.file_size = ASTACUS_TRY(read_size(*size, {&p, "file_size"}));
  const J* mtime = ASTACUS_TRY(required(j, "mtime_ns", p));
  out.mtime_ns = ASTACUS_TRY(read_int(*mtime, {&p, "mtime_ns"}));
  if (auto* v = member(j, "hexdigest")) {
    FieldPath hp{&p, "hexdigest"};
    out.hexdigest = ASTACUS_TRY(read_string(*v, hp));
    if (!out.hexdigest.empty()) out.hexdigest = ASTACUS_TRY(read_hexdigest(*v, hp));
  }
  if (auto* v = member(j, "content_b64"); v && !v->is_null()) {
    FieldPath cp{&p, "content_b64"};
    out.content_b64 = ASTACUS_TRY(read_string(*v, cp));
    if (!base64_decode(*out.content_b64)) return field_error(cp, "invalid base64");
  }
  if (out.hexdigest.empty() == !out.content_b64.has_value()) {
    return field_error(p, out.content_b64 ? "has both hexdigest and content_b64"
                                          : "has neither hexdigest nor content_b64");
  }
  return out;
}

template <class J>
Result<SnapshotState> snapshot_state_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  SnapshotState out;
  if (auto* v = member(j, "root_globs")) {
    out.root_globs = ASTACUS_TRY(read_array<std::string>(
        *v, {&p, "root_globs"},
        [](const J& e, const FieldPath& ep) { return read_string(e, ep); }));
  }
  if (auto* v = member(j, "files")) {
    out.files = ASTACUS_TRY(read_array<SnapshotFile>(
        *v, {&p, "files"},
        [](const J& e, const FieldPath& ep) { return snapshot_file_from(e, ep); }));
  }
  return out;
}

/// hostname, az, progress: the NodeResult part shared by snapshot and upload results.
template <class J, class T>
Status node_result_from(const J& j, const FieldPath& p, T& out) {
  if (auto* v = member(j, "hostname"))
    out.hostname = ASTACUS_TRY(read_string(*v, {&p, "hostname"}));
  if (auto* v = member(j, "az")) out.az = ASTACUS_TRY(read_string(*v, {&p, "az"}));
  if (auto* v = member(j, "progress"))
    out.progress = ASTACUS_TRY(progress_from(*v, {&p, "progress"}));
  return ok();
}

template <class J>
Result<SnapshotResult> snapshot_result_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  SnapshotResult out;
  ASTACUS_CHECK(node_result_from(j, p, out));
  if (auto* v = member(j, "start"); v && !v->is_null()) {
    out.start = ASTACUS_TRY(read_time(*v, {&p, "start"}));
  }
  if (auto* v = member(j, "end"); v && !v->is_null()) {
    out.end = ASTACUS_TRY(read_time(*v, {&p, "end"}));
  }
  out.state = SnapshotState{};  // Python default when the key is missing
  if (auto* v = member(j, "state")) {
    if (v->is_null()) {
      out.state.reset();
    } else {
      out.state = ASTACUS_TRY(snapshot_state_from(*v, {&p, "state"}));
    }
  }
  if (auto* v = member(j, "files")) out.files = ASTACUS_TRY(read_size(*v, {&p, "files"}));
  if (auto* v = member(j, "total_size")) {
    out.total_size = ASTACUS_TRY(read_size(*v, {&p, "total_size"}));
  }
  if (auto* v = member(j, "hashes"); v && !v->is_null()) {
    out.hashes = ASTACUS_TRY(read_array<SnapshotHash>(
        *v, {&p, "hashes"},
        [](const J& e, const FieldPath& ep) { return snapshot_hash_from(e, ep); }));
  }
  return out;
}

template <class J>
Result<SnapshotUploadResult> upload_result_from(const J& j, const FieldPath& p) {
  ASTACUS_CHECK(expect_object(j, p));
  SnapshotUploadResult out;
  ASTACUS_CHECK(node_result_from(j, p, out));
  if (auto* v = member(j, "total_size")) {
    out.total_size = ASTACUS_TRY(read_size(*v, {&p, "total_size"}));
  }
  if (auto* v = member(j, "total_stored_size")) {
    out.total_stored_size = ASTACUS_TRY(read_size(*v, {&p, "total_stored_size"}));
  }
  return out;
}

/// Runs a per-type parser with a root path and converts stray nlohmann exceptions.
template <class F>
auto guarded(std::string_view path, F parse) -> decltype(parse(FieldPath{})) {
  FieldPath root{nullptr, path};
  try {
    return parse(root);
  } catch (const nlohmann::json::exception& e) {
    return field_error(root, e.what());
  }
}

}  // namespace

namespace detail {

// Used by json_manifest.cc and json_stream.cc.
Result<SnapshotResult> snapshot_result_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return snapshot_result_from(j, p);
}
Result<SnapshotUploadResult> upload_result_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return upload_result_from(j, p);
}
Result<SnapshotFile> snapshot_file_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return snapshot_file_from(j, p);
}
Result<SnapshotHash> snapshot_hash_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return snapshot_hash_from(j, p);
}
Result<int64_t> int_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return read_int(j, p);
}
Result<std::string> string_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return read_string(j, p);
}
Result<SystemTime> time_at(const nlohmann::ordered_json& j, const FieldPath& p) {
  return read_time(j, p);
}

}  // namespace detail

bool is_valid_hexdigest(std::string_view hexdigest) { return is_canonical_hexdigest(hexdigest); }

#define ASTACUS_DEFINE_PARSER(Type, name, impl)                               \
  Result<Type> name(const nlohmann::json& j, std::string_view path) {         \
    return guarded(path, [&](const FieldPath& p) { return impl(j, p); });     \
  }                                                                           \
  Result<Type> name(const nlohmann::ordered_json& j, std::string_view path) { \
    return guarded(path, [&](const FieldPath& p) { return impl(j, p); });     \
  }

ASTACUS_DEFINE_PARSER(Progress, parse_progress, progress_from)
ASTACUS_DEFINE_PARSER(SnapshotFile, parse_snapshot_file, snapshot_file_from)
ASTACUS_DEFINE_PARSER(SnapshotHash, parse_snapshot_hash, snapshot_hash_from)
ASTACUS_DEFINE_PARSER(SnapshotState, parse_snapshot_state, snapshot_state_from)
ASTACUS_DEFINE_PARSER(SnapshotResult, parse_snapshot_result, snapshot_result_from)
ASTACUS_DEFINE_PARSER(SnapshotUploadResult, parse_snapshot_upload_result, upload_result_from)

#undef ASTACUS_DEFINE_PARSER

}  // namespace astacus::manifest

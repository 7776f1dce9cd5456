// See json_flat.h.

#include "manifest/json_flat.h"

#include <string.h>  // memmem

#include <limits>

#include "base/encoding.h"
#include "base/paths.h"
#include "manifest/json.h"
#include "manifest/json_path.h"
#include "manifest/json_skim.h"

namespace astacus::manifest::detail {

namespace {

using Json = nlohmann::ordered_json;

constexpr uint64_t kMaxInt64 = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

std::optional<int64_t> as_int64(const FlatMember& m) {
  if (m.kind == FlatMember::Kind::kInteger) return m.i;
  if (m.kind == FlatMember::Kind::kUnsigned && m.u <= kMaxInt64) return static_cast<int64_t>(m.u);
  return std::nullopt;
}

/// The members of a file entry when each known key appears at most once with a value the
/// DOM reader accepts and no other key appears; nullopt otherwise (the DOM path decides).
struct FileMembers {
  FlatMember* path = nullptr;
  FlatMember* size = nullptr;
  FlatMember* mtime = nullptr;
  FlatMember* hexdigest = nullptr;
  FlatMember* content = nullptr;  // a string; a null content_b64 is as good as absent
};

bool take_once(FlatMember*& slot, FlatMember& m) {
  if (slot) return false;
  slot = &m;
  return true;
}

std::optional<FileMembers> file_members(std::vector<FlatMember>& members) {
  FileMembers f;
  bool null_content = false;
  for (auto& m : members) {
    bool fine = false;
    if (m.key == "relative_path") fine = m.kind == FlatMember::Kind::kString && take_once(f.path, m);
    else if (m.key == "file_size") fine = as_int64(m).value_or(-1) >= 0 && take_once(f.size, m);
    else if (m.key == "mtime_ns") fine = as_int64(m).has_value() && take_once(f.mtime, m);
    else if (m.key == "hexdigest") fine = m.kind == FlatMember::Kind::kString && take_once(f.hexdigest, m);
    else if (m.key == "content_b64" && m.kind == FlatMember::Kind::kNull)
      fine = !f.content && !null_content && (null_content = true);
    else if (m.key == "content_b64")
      fine = m.kind == FlatMember::Kind::kString && !null_content && take_once(f.content, m);
    if (!fine) return std::nullopt;
  }
  if (!f.path || !f.size || !f.mtime || !is_safe_relative_path(f.path->s)) return std::nullopt;
  bool has_digest = f.hexdigest && !f.hexdigest->s.empty();
  if (has_digest && !is_valid_hexdigest(f.hexdigest->s)) return std::nullopt;
  if (has_digest == (f.content != nullptr)) return std::nullopt;
  if (f.content && !base64_decode(f.content->s)) return std::nullopt;
  return f;
}

// --- read_flat_object ---------------------------------------------------------------------

/// A JSON string of printable ASCII without escapes, `pos` at its opening quote; false for
/// anything else (escapes, control or non-ASCII bytes: nlohmann decodes and validates those).
bool read_plain_string(std::string_view t, size_t& pos, std::string& out) {
  if (pos >= t.size() || t[pos] != '"') return false;
  size_t start = ++pos;
  while (pos < t.size()) {
    auto c = static_cast<unsigned char>(t[pos]);
    if (c == '"') {
      out.assign(t.data() + start, pos - start);
      ++pos;
      return true;
    }
    if (c < 0x20 || c >= 0x7f || c == '\\') return false;
    ++pos;
  }
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A JSON integer as nlohmann reports it (negative: kInteger, else kUnsigned); false for
/// fractions, exponents, leading zeros and anything beyond 64 bits.
bool read_integer(std::string_view t, size_t& pos, FlatMember& m) {
  bool negative = pos < t.size() && t[pos] == '-';
  if (negative) ++pos;
  if (pos >= t.size() || !is_digit(t[pos])) return false;
  if (t[pos] == '0' && pos + 1 < t.size() && is_digit(t[pos + 1])) return false;
  uint64_t value = 0;
  for (; pos < t.size() && is_digit(t[pos]); ++pos) {
    if (__builtin_mul_overflow(value, 10u, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(t[pos] - '0'), &value)) {
      return false;
    }
  }
  if (pos < t.size() && (t[pos] == '.' || t[pos] == 'e' || t[pos] == 'E')) return false;
  if (!negative) {
    m.kind = FlatMember::Kind::kUnsigned;
    m.u = value;
    return true;
  }
  if (value > kMaxInt64 + 1) return false;
  m.kind = FlatMember::Kind::kInteger;
  m.i = value == kMaxInt64 + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(value);
  return true;
}

bool read_literal(std::string_view t, size_t& pos, std::string_view word) {
  if (t.substr(pos, word.size()) != word) return false;
  pos += word.size();
  return true;
}

bool read_scalar(std::string_view t, size_t& pos, FlatMember& m) {
  if (pos >= t.size()) return false;
  switch (t[pos]) {
    case '"':
      m.kind = FlatMember::Kind::kString;
      return read_plain_string(t, pos, m.s);
    case 'n':
      m.kind = FlatMember::Kind::kNull;
      return read_literal(t, pos, "null");
    case 't':
      m.kind = FlatMember::Kind::kBool;
      m.b = true;
      return read_literal(t, pos, "true");
    case 'f':
      m.kind = FlatMember::Kind::kBool;
      m.b = false;
      return read_literal(t, pos, "false");
    default:
      return read_integer(t, pos, m);
  }
}

}  // namespace

Json FlatMember::to_json() const {
  switch (kind) {
    case Kind::kNull: return Json(nullptr);
    case Kind::kBool: return Json(b);
    case Kind::kInteger: return Json(i);
    case Kind::kUnsigned: return Json(u);
    case Kind::kFloat: return Json(d);
    case Kind::kString: return Json(s);
  }
  return Json();
}

bool convert_file(std::vector<FlatMember>& members, std::vector<SnapshotFile>& out) {
  auto f = file_members(members);
  if (!f) return false;
  SnapshotFile file;
  file.relative_path = std::move(f->path->s);
  file.file_size = *as_int64(*f->size);
  file.mtime_ns = *as_int64(*f->mtime);
  if (f->hexdigest) file.hexdigest = Hexdigest(f->hexdigest->s);
  if (f->content) file.content_b64 = std::move(f->content->s);
  out.push_back(std::move(file));
  return true;
}

bool convert_hash(std::vector<FlatMember>& members, std::vector<SnapshotHash>& out) {
  FlatMember* hex = nullptr;
  FlatMember* size = nullptr;
  for (auto& m : members) {
    bool fine = false;
    if (m.key == "hexdigest") fine = m.kind == FlatMember::Kind::kString && take_once(hex, m);
    else if (m.key == "size") fine = as_int64(m).value_or(-1) >= 0 && take_once(size, m);
    if (!fine) return false;
  }
  if (!hex || !size || !is_valid_hexdigest(hex->s)) return false;
  out.push_back(SnapshotHash{Hexdigest(hex->s), *as_int64(*size)});
  return true;
}

bool read_flat_object(std::string_view t, size_t& pos, std::vector<FlatMember>& members) {
  size_t used = 0;  // members reused across elements keep their strings' capacity
  pos = skip_json_space(t, pos);
  if (pos >= t.size() || t[pos] != '{') return false;
  pos = skip_json_space(t, pos + 1);
  bool empty = pos < t.size() && t[pos] == '}';
  while (!empty) {
    if (used == members.size()) members.emplace_back();
    FlatMember& m = members[used++];
    if (!read_plain_string(t, pos, m.key)) return false;
    pos = skip_json_space(t, pos);
    if (pos >= t.size() || t[pos] != ':') return false;
    pos = skip_json_space(t, pos + 1);
    if (!read_scalar(t, pos, m)) return false;
    pos = skip_json_space(t, pos);
    if (pos >= t.size()) return false;
    if (t[pos] == '}') break;
    if (t[pos] != ',') return false;
    pos = skip_json_space(t, pos + 1);
  }
  ++pos;
  members.resize(used);
  return true;
}

size_t count_occurrences(std::string_view text, std::string_view needle) {
  size_t count = 0;
  const char* at = text.data();
  const char* end = text.data() + text.size();
  while (const void* hit = memmem(at, static_cast<size_t>(end - at), needle.data(), needle.size())) {
    ++count;
    at = static_cast<const char*>(hit) + needle.size();
  }
  return count;
}

std::optional<Error> convert_dom_element(const Json& element, StreamShape shape, std::string_view path_prefix,
                                         size_t result, BigArrayKind kind, size_t index,
                                         StreamedArrays& target) {
  FieldPath root{nullptr, shape == StreamShape::kManifest ? "snapshot_results" : path_prefix};
  FieldPath in_results{&root, {}, result};
  const FieldPath* result_path = shape == StreamShape::kManifest ? &in_results : &root;
  if (kind == BigArrayKind::kFiles) {
    FieldPath state{result_path, "state"};
    FieldPath files{&state, "files"};
    auto file = snapshot_file_at(element, FieldPath{&files, {}, index});
    if (!file) return file.error();
    target.files.push_back(std::move(*file));
    return std::nullopt;
  }
  FieldPath hashes{result_path, "hashes"};
  auto hash = snapshot_hash_at(element, FieldPath{&hashes, {}, index});
  if (!hash) return hash.error();
  target.hashes.push_back(std::move(*hash));
  return std::nullopt;
}

}  // namespace astacus::manifest::detail

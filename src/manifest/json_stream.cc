// See json_stream.h. A SAX handler over nlohmann's parser: containers on the path to a big
// array are built as ordinary DOM. Each element of a big array is first recorded as a flat
// list of scalar members and converted directly when it has exactly the expected shape (the
// common case: a 100k-file list parsed twice as fast). Anything else (unknown or repeated
// keys, nested values, a value that fails validation) is rebuilt as a small DOM and converted
// with the same readers as the DOM path, so errors name the same fields in the same words.

#include "manifest/json_stream.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <string>

#include "base/encoding.h"
#include "base/paths.h"
#include "manifest/json.h"
#include "manifest/json_path.h"

namespace astacus::manifest::detail {

namespace {

using Json = nlohmann::ordered_json;

enum class Role {
  kPlain,         // ordinary container
  kTop,           // manifest top level
  kResults,       // manifest snapshot_results array
  kResult,        // one snapshot result object
  kState,         // its state object
  kFiles,         // state.files, streamed
  kHashes,        // hashes, streamed
  kElement,       // an object element of a streamed array, recorded flat (FlatElement)
  kSkip,          // ignored (big arrays of results other than only_result)
};

/// One scalar member of an element object, as the parser reported it.
struct FlatMember {
  enum class Kind { kNull, kBool, kInteger, kUnsigned, kFloat, kString };
  std::string key;
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string s;

  Json to_json() const {
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
};

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

/// Converts a flat file entry of the expected shape; false leaves `members` untouched.
bool convert_file(std::vector<FlatMember>& members, std::vector<SnapshotFile>& out) {
  auto f = file_members(members);
  if (!f) return false;
  SnapshotFile file;
  file.relative_path = std::move(f->path->s);
  file.file_size = *as_int64(*f->size);
  file.mtime_ns = *as_int64(*f->mtime);
  if (f->hexdigest) file.hexdigest = std::move(f->hexdigest->s);
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
  out.push_back(SnapshotHash{std::move(hex->s), *as_int64(*size)});
  return true;
}

struct Frame {
  Json* node = nullptr;  // null for kSkip and for streamed arrays (elements go elsewhere)
  Role role = Role::kPlain;
  size_t result = 0;     // snapshot result index for kResult/kState/kFiles/kHashes
  size_t index = 0;      // next element index (arrays)
  std::string key;       // pending member key (objects)
};

class Handler {
 public:
  Handler(StreamShape shape, std::string_view prefix, std::optional<size_t> only, KeepLists keep,
          const FileVisitor* on_file)
      : shape_(shape), prefix_(prefix), only_(only), keep_(keep), on_file_(on_file) {}

  bool null() {
    if (!flat()) return value(Json(nullptr));
    record(FlatMember::Kind::kNull);
    return true;
  }
  bool boolean(bool v) {
    if (!flat()) return value(Json(v));
    record(FlatMember::Kind::kBool).b = v;
    return true;
  }
  bool number_integer(Json::number_integer_t v) {
    if (!flat()) return value(Json(v));
    record(FlatMember::Kind::kInteger).i = v;
    return true;
  }
  bool number_unsigned(Json::number_unsigned_t v) {
    if (!flat()) return value(Json(v));
    record(FlatMember::Kind::kUnsigned).u = v;
    return true;
  }
  bool number_float(Json::number_float_t v, const std::string&) {
    if (!flat()) return value(Json(v));
    record(FlatMember::Kind::kFloat).d = v;
    return true;
  }
  bool string(std::string& v) {
    if (!flat()) return value(Json(std::move(v)));
    record(FlatMember::Kind::kString).s = std::move(v);
    return true;
  }
  bool binary(Json::binary_t& v) { return value(Json(std::move(v))); }
  bool start_object(size_t) { return open(Json::object()); }
  bool start_array(size_t) { return open(Json::array()); }
  bool key(std::string& k) {
    frames_.back().key = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool parse_error(size_t, const std::string&, const nlohmann::detail::exception& e) {
    syntax_error_ = e.what();
    return false;
  }

  /// Reserves room for the first result's big arrays, so that they never grow by doubling
  /// (which left up to half of each unused and briefly needed 1.5x while moving).
  void reserve_first(size_t files, size_t hashes) {
    out_.results.resize(1);
    out_.results[0].files.reserve(files);
    out_.results[0].hashes.reserve(hashes);
  }

  StreamedJson take() { return std::move(out_); }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  static bool streamed(Role r) { return r == Role::kFiles || r == Role::kHashes; }

  bool flat() const { return !frames_.empty() && frames_.back().role == Role::kElement; }

  /// Appends a member for the pending key of the flat element being recorded.
  FlatMember& record(FlatMember::Kind kind) {
    FlatMember& m = flat_.emplace_back();
    m.key = std::move(frames_.back().key);
    m.kind = kind;
    return m;
  }

  /// The flat element recorded so far as a DOM, as the DOM path would have built it.
  Json flat_as_dom() const {
    Json object = Json::object();
    for (const auto& m : flat_) object[m.key] = m.to_json();  // a repeated key keeps its slot
    return object;
  }

  /// Turns the flat element being recorded into a DOM in element_ and carries on in DOM mode.
  void materialize() {
    element_ = flat_as_dom();
    flat_.clear();
    frames_.back().node = &element_;
    frames_.back().role = Role::kPlain;
  }

  /// The role of a new child container of `parent` (not a streamed array).
  Role child_role(const Frame& parent, bool is_array, size_t& result) const {
    result = parent.result;
    switch (parent.role) {
      case Role::kTop:
        return is_array && parent.key == "snapshot_results" ? Role::kResults : Role::kPlain;
      case Role::kResults:
        result = parent.index;
        return is_array ? Role::kPlain : Role::kResult;
      case Role::kResult:
        if (parent.key == "state" && !is_array) return Role::kState;
        if (parent.key == "hashes" && is_array) return big_array(Role::kHashes, result);
        return Role::kPlain;
      case Role::kState:
        return parent.key == "files" && is_array ? big_array(Role::kFiles, result) : Role::kPlain;
      default:
        return Role::kPlain;
    }
  }

  Role big_array(Role role, size_t result) const {
    return only_ && *only_ != result ? Role::kSkip : role;
  }

  /// Where a new value goes in the parent frame's container.
  Json* place(Frame& parent, Json v) {
    if (streamed(parent.role)) {
      element_ = std::move(v);
      return &element_;
    }
    if (parent.node->is_array()) {
      parent.node->push_back(std::move(v));
      return &parent.node->back();
    }
    Json& slot = (*parent.node)[parent.key];
    slot = std::move(v);
    return &slot;
  }

  bool open(Json container) {
    bool is_array = container.is_array();
    if (!frames_.empty() && frames_.back().role == Role::kElement) materialize();
    if (!frames_.empty() && streamed(frames_.back().role) && !is_array) {
      flat_.clear();
      frames_.push_back({nullptr, Role::kElement, frames_.back().result, 0, {}});
      return true;
    }
    if (frames_.empty()) {
      out_.skeleton = std::move(container);
      Role role = shape_ == StreamShape::kManifest ? Role::kTop : Role::kResult;
      frames_.push_back({&out_.skeleton, role, 0, 0, {}});
      return true;
    }
    Frame& parent = frames_.back();
    if (parent.role == Role::kSkip) {
      frames_.push_back({nullptr, Role::kSkip, 0, 0, {}});
      return true;
    }
    size_t result = 0;
    Role role = streamed(parent.role) ? Role::kPlain : child_role(parent, is_array, result);
    if (parent.role == Role::kResults) ++parent.index;
    Json* node = place(parent, std::move(container));
    if (role == Role::kSkip) node = nullptr;
    frames_.push_back({node, role, result, 0, {}});
    return true;
  }

  bool value(Json v) {
    if (frames_.empty()) {  // a bare scalar document
      out_.skeleton = std::move(v);
      return true;
    }
    Frame& parent = frames_.back();
    if (parent.role == Role::kSkip) return true;
    place(parent, std::move(v));
    if (streamed(parent.role)) convert_element(parent);
    if (parent.role == Role::kResults) ++parent.index;
    return true;
  }

  bool close() {
    bool was_flat = frames_.back().role == Role::kElement;
    frames_.pop_back();
    if (frames_.empty() || !streamed(frames_.back().role)) return true;
    if (was_flat && convert_flat(frames_.back())) return true;
    if (was_flat) element_ = flat_as_dom();  // not the expected shape: the DOM reader decides
    convert_element(frames_.back());
    return true;
  }

  /// The fast path for a flat element of `array`; false when the DOM path must decide.
  bool convert_flat(Frame& array) {
    if (out_.element_error) {
      ++array.index;
      return true;
    }
    if (out_.results.size() <= array.result) out_.results.resize(array.result + 1);
    StreamedArrays& target = out_.results[array.result];
    bool converted = array.role == Role::kFiles ? convert_file(flat_, target.files)
                                                : convert_hash(flat_, target.hashes);
    if (converted) ++array.index;
    if (converted) done_with_element(array, target);
    return converted;
  }

  /// Converts element_ (element number array.index of a streamed array) and drops it.
  void convert_element(Frame& array) {
    size_t index = array.index++;
    if (out_.element_error) return;
    if (out_.results.size() <= array.result) out_.results.resize(array.result + 1);
    StreamedArrays& target = out_.results[array.result];
    FieldPath root{nullptr, shape_ == StreamShape::kManifest ? "snapshot_results" : prefix_};
    FieldPath in_results{&root, {}, array.result};
    const FieldPath* result_path = shape_ == StreamShape::kManifest ? &in_results : &root;
    if (array.role == Role::kFiles) {
      FieldPath state{result_path, "state"};
      FieldPath files{&state, "files"};
      auto file = snapshot_file_at(element_, FieldPath{&files, {}, index});
      if (file) target.files.push_back(std::move(*file));
      else out_.element_error = file.error();
    } else {
      FieldPath hashes{result_path, "hashes"};
      auto hash = snapshot_hash_at(element_, FieldPath{&hashes, {}, index});
      if (hash) target.hashes.push_back(std::move(*hash));
      else out_.element_error = hash.error();
    }
    element_ = Json();
    if (!out_.element_error) done_with_element(array, target);
  }

  /// The element just converted (and checked) is shown to the visitor, then dropped from a
  /// list not kept.
  void done_with_element(const Frame& array, StreamedArrays& target) const {
    if (on_file_ && array.role == Role::kFiles) (*on_file_)(array.result, target.files.back());
    if (!keep_.files) target.files.clear();
    if (!keep_.hashes) target.hashes.clear();
  }

  const StreamShape shape_;
  const std::string_view prefix_;
  const std::optional<size_t> only_;
  const KeepLists keep_;
  const FileVisitor* on_file_;
  std::vector<Frame> frames_;
  Json element_;
  std::vector<FlatMember> flat_;  // members of the flat element being recorded
  StreamedJson out_;
  std::string syntax_error_;
};

/// How many times `needle` occurs in `text`.
size_t count_occurrences(std::string_view text, std::string_view needle) {
  std::boyer_moore_horspool_searcher searcher(needle.begin(), needle.end());
  size_t count = 0;
  for (auto it = text.begin();;) {
    it = std::search(it, text.end(), searcher);
    if (it == text.end()) return count;
    ++count;
    it += static_cast<std::ptrdiff_t>(needle.size());
  }
}

}  // namespace

Result<StreamedJson> parse_streamed(std::string_view text, StreamShape shape,
                                    std::string_view path_prefix,
                                    std::optional<size_t> only_result, KeepLists keep,
                                    const FileVisitor* on_file) {
  Handler handler(shape, path_prefix, only_result, keep, on_file);
  if (shape == StreamShape::kSnapshotResult) {
    // Outside string values these quoted keys occur only in file and hash entries (inside one
    // a quote is escaped), so their counts bound the two arrays.
    handler.reserve_first(keep.files ? count_occurrences(text, "\"relative_path\"") : 0,
                          keep.hashes ? count_occurrences(text, "\"size\"") : 0);
  }
  bool parsed = false;
  try {
    parsed = Json::sax_parse(text, &handler);
  } catch (const Json::exception& e) {
    return errorf(ErrorCode::kInvalidArgument, "invalid JSON: {}", e.what());
  }
  if (!parsed) {
    return errorf(ErrorCode::kInvalidArgument, "invalid JSON: {}", handler.syntax_error());
  }
  return handler.take();
}

void put_streamed(StreamedArrays& arrays, SnapshotResult& result) {
  if (result.state) result.state->files = std::move(arrays.files);
  if (result.hashes) *result.hashes = std::move(arrays.hashes);
}

}  // namespace astacus::manifest::detail

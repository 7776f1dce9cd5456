// See json_stream.h. A SAX handler over nlohmann's parser: containers on the path to a big
// array are built as ordinary DOM. Each element of a big array is first recorded as a flat
// list of scalar members and converted directly when it has exactly the expected shape (the
// common case: a 100k-file list parsed twice as fast). Anything else (unknown or repeated
// keys, nested values, a value that fails validation) is rebuilt as a small DOM and converted
// with the same readers as the DOM path, so errors name the same fields in the same words.
// parse_streamed first tries json_stream_fast.cc, which reads the big arrays without nlohmann's
// lexer and hands this parser only the text around them.

#include "manifest/json_stream.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <string>

#include "base/encoding.h"
#include "base/paths.h"
#include "manifest/json.h"
#include "manifest/json_flat.h"
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
    auto kind = array.role == Role::kFiles ? BigArrayKind::kFiles : BigArrayKind::kHashes;
    out_.element_error = convert_dom_element(element_, shape_, prefix_, array.result, kind, index, target);
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

}  // namespace

Result<StreamedJson> parse_streamed_slow(std::string_view text, StreamShape shape,
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

Result<StreamedJson> parse_streamed(std::string_view text, StreamShape shape,
                                    std::string_view path_prefix,
                                    std::optional<size_t> only_result, KeepLists keep,
                                    const FileVisitor* on_file) {
  if (auto fast = parse_streamed_fast(text, shape, path_prefix, only_result, keep, on_file)) {
    return std::move(*fast);
  }
  return parse_streamed_slow(text, shape, path_prefix, only_result, keep, on_file);
}

void put_streamed(StreamedArrays& arrays, SnapshotResult& result) {
  if (result.state) result.state->files = std::move(arrays.files);
  if (result.hashes) *result.hashes = std::move(arrays.hashes);
}

}  // namespace astacus::manifest::detail

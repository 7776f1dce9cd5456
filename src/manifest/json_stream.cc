// See json_stream.h. A SAX handler over nlohmann's parser: containers on the path to a big
// array are built as ordinary DOM; each element of a big array is built as a small DOM,
// converted with the same readers as the DOM path (same validation, same field paths) and
// dropped.

#include "manifest/json_stream.h"

#include <string>

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
  Handler(StreamShape shape, std::string_view prefix, std::optional<size_t> only)
      : shape_(shape), prefix_(prefix), only_(only) {}

  bool null() { return value(Json(nullptr)); }
  bool boolean(bool v) { return value(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return value(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(Json(v)); }
  bool number_float(Json::number_float_t v, const std::string&) { return value(Json(v)); }
  bool string(std::string& v) { return value(Json(std::move(v))); }
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

  StreamedJson take() { return std::move(out_); }
  const std::string& syntax_error() const { return syntax_error_; }

 private:
  static bool streamed(Role r) { return r == Role::kFiles || r == Role::kHashes; }

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
    Frame& parent = frames_.back();
    if (parent.role == Role::kSkip) return true;
    place(parent, std::move(v));
    if (streamed(parent.role)) convert_element(parent);
    if (parent.role == Role::kResults) ++parent.index;
    return true;
  }

  bool close() {
    frames_.pop_back();
    if (!frames_.empty() && streamed(frames_.back().role)) convert_element(frames_.back());
    return true;
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
  }

  const StreamShape shape_;
  const std::string_view prefix_;
  const std::optional<size_t> only_;
  std::vector<Frame> frames_;
  Json element_;
  StreamedJson out_;
  std::string syntax_error_;
};

}  // namespace

Result<StreamedJson> parse_streamed(std::string_view text, StreamShape shape,
                                    std::string_view path_prefix,
                                    std::optional<size_t> only_result) {
  Handler handler(shape, path_prefix, only_result);
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

// parse_streamed's fast route (json_flat.h). The big arrays are found by structure
// (json_skim.h) and read element by element with read_flat_object; the rest of the text, with
// each big array cut down to "[]", goes through the ordinary SAX parser (json_stream.cc) for
// the skeleton. An element of another shape is parsed alone by nlohmann and converted from its
// DOM, as the slow path would. Whatever this route does not handle (a syntax error anywhere, a
// repeated or escaped key on the way to a big array) makes it give up, and the slow path parses
// the whole text, so errors stay exactly those of that path. Only a syntax error inside a list
// is found after some entries were converted (and visited); the slow path then fails too.
//
// Equivalence with the slow path: the same elements are converted in the same (text) order,
// the first element error stops conversion but not the syntax check of the rest, arrays of
// results other than `only_result` are syntax-checked only, and the visitor sees each converted
// file entry once, in order.

#include <algorithm>

#include "manifest/json_flat.h"
#include "manifest/json_skim.h"

namespace astacus::manifest::detail {

namespace {

using Json = nlohmann::ordered_json;

struct BigArray {
  TextSpan span;  // "[...]" in the whole text
  size_t result = 0;
  BigArrayKind kind = BigArrayKind::kFiles;
  bool skipped = false;  // of a result other than only_result: checked for syntax only
};

void sort_by_offset(std::vector<BigArray>::iterator first, std::vector<BigArray>::iterator last) {
  std::sort(first, last, [](const BigArray& a, const BigArray& b) { return a.span.offset < b.span.offset; });
}

bool starts_with(std::string_view text, char c) {
  size_t pos = skip_json_space(text, 0);
  return pos < text.size() && text[pos] == c;
}

/// The value of member `name` among `members` of `object` (offsets in `object`) when it is there
/// once and starts with `open`; nullopt when absent or of another kind; false when repeated (the
/// fast route then gives up).
bool find_member(std::string_view object, const std::vector<MemberSpan>& members, std::string_view name,
                 char open, std::optional<TextSpan>& out) {
  out.reset();
  size_t count = 0;
  for (const auto& m : members) {
    if (m.key != name) continue;
    if (++count > 1) return false;
    if (starts_with(object.substr(m.value.offset, m.value.size), open)) out = m.value;
  }
  return true;
}

/// Adds the big arrays of the snapshot result at `at` in `text` (state.files and hashes).
bool locate_in_result(std::string_view text, TextSpan at, size_t result, bool skipped, std::vector<BigArray>& out) {
  std::string_view object = text.substr(at.offset, at.size);
  if (!starts_with(object, '{')) return true;  // not an object: it has no big arrays
  auto members = members_of(object);
  std::optional<TextSpan> state;
  std::optional<TextSpan> hashes;
  if (!members || !find_member(object, *members, "state", '{', state) ||
      !find_member(object, *members, "hashes", '[', hashes)) {
    return false;
  }
  if (state) {
    std::string_view state_text = object.substr(state->offset, state->size);
    auto state_members = members_of(state_text);
    std::optional<TextSpan> files;
    if (!state_members || !find_member(state_text, *state_members, "files", '[', files)) return false;
    if (files) {
      TextSpan span{at.offset + state->offset + files->offset, files->size};
      out.push_back({span, result, BigArrayKind::kFiles, skipped});
    }
  }
  if (hashes) out.push_back({{at.offset + hashes->offset, hashes->size}, result, BigArrayKind::kHashes, skipped});
  return true;
}

/// Calls `element(array, offset)` for each element of the array `span` of `text` (`array` is
/// the text up to the array's end); it returns where the element ends, or npos for a broken
/// one. False when the array is not soundly structured.
template <class OnElement>
bool for_each_element(std::string_view text, TextSpan span, OnElement&& element) {
  std::string_view array = text.substr(0, span.offset + span.size);
  size_t pos = skip_json_space(array, span.offset + 1);
  if (pos < array.size() && array[pos] == ']') return pos + 1 == array.size();
  while (true) {
    size_t end = element(array, pos);
    if (end == std::string_view::npos) return false;
    pos = skip_json_space(array, end);
    if (pos >= array.size()) return false;
    if (array[pos] == ']') return pos + 1 == array.size();
    if (array[pos] != ',') return false;
    pos = skip_json_space(array, pos + 1);
  }
}

/// Every big array of `text`, in text order; nullopt when the route must give up.
std::optional<std::vector<BigArray>> locate_big_arrays(std::string_view text, StreamShape shape,
                                                       std::optional<size_t> only_result) {
  std::vector<BigArray> arrays;
  TextSpan whole{0, text.size()};
  if (shape == StreamShape::kSnapshotResult) {
    if (!locate_in_result(text, whole, 0, false, arrays)) return std::nullopt;
    sort_by_offset(arrays.begin(), arrays.end());
    return arrays;
  }
  if (!starts_with(text, '{')) return arrays;
  auto members = members_of(text);
  std::optional<TextSpan> results;
  if (!members || !find_member(text, *members, "snapshot_results", '[', results)) return std::nullopt;
  if (!results) return arrays;
  size_t index = 0;
  bool located = true;
  bool sound = for_each_element(text, *results, [&](std::string_view array, size_t offset) {
    size_t end = skip_json_value(array, offset);
    if (end == std::string_view::npos) return end;
    bool skipped = only_result && *only_result != index;
    size_t before = arrays.size();
    located = located && locate_in_result(text, {offset, end - offset}, index++, skipped, arrays);
    sort_by_offset(arrays.begin() + static_cast<std::ptrdiff_t>(before), arrays.end());
    return end;
  });
  if (!sound || !located) return std::nullopt;
  return arrays;
}

/// `text` with each big array replaced by "[]".
std::string without_big_arrays(std::string_view text, const std::vector<BigArray>& arrays) {
  size_t cut = 0;
  for (const auto& a : arrays) cut += a.span.size - 2;
  std::string out;
  out.reserve(text.size() - cut);
  size_t at = 0;
  for (const auto& a : arrays) {
    out.append(text.substr(at, a.span.offset - at));
    out += "[]";
    at = a.span.offset + a.span.size;
  }
  out.append(text.substr(at));
  return out;
}

class BigArrayReader {
 public:
  BigArrayReader(std::string_view text, StreamShape shape, std::string_view prefix, KeepLists keep,
                 const FileVisitor* on_file, StreamedJson& out)
      : text_(text), shape_(shape), prefix_(prefix), keep_(keep), on_file_(on_file), out_(out) {}

  /// Reads one array; false on a syntax error (the route gives up).
  bool read(const BigArray& array) {
    size_t index = 0;
    reserved_ = false;
    return for_each_element(text_, array.span, [&](std::string_view text, size_t offset) {
      return element(text, array, offset, index++);
    });
  }

 private:
  /// Where `array`'s elements go. Made on the first element converted, as the slow path does.
  StreamedArrays& target(const BigArray& array) {
    if (out_.results.size() <= array.result) out_.results.resize(array.result + 1);
    StreamedArrays& target = out_.results[array.result];
    if (!reserved_) reserve(array, target);
    reserved_ = true;
    return target;
  }

  void reserve(const BigArray& array, StreamedArrays& target) const {
    // Outside string values these quoted keys occur only in the array's entries (inside a
    // string a quote is escaped), so their counts bound its length.
    std::string_view body = text_.substr(array.span.offset, array.span.size);
    if (array.kind == BigArrayKind::kFiles && keep_.files) {
      target.files.reserve(target.files.size() + count_occurrences(body, "\"relative_path\""));
    } else if (array.kind == BigArrayKind::kHashes && keep_.hashes) {
      target.hashes.reserve(target.hashes.size() + count_occurrences(body, "\"hexdigest\""));
    }
  }

  /// Reads the element at `offset` of `text` (which ends with its array); returns where the
  /// element ends, or npos on a syntax error.
  size_t element(std::string_view text, const BigArray& array, size_t offset, size_t index) {
    size_t end = offset;
    bool flat = read_flat_object(text, end, members_);
    bool convert = !array.skipped && !out_.element_error;
    if (flat && !convert) return end;
    if (flat && (array.kind == BigArrayKind::kFiles ? convert_file(members_, target(array).files)
                                                    : convert_hash(members_, target(array).hashes))) {
      done_with_element(array, target(array));
      return end;
    }
    // Another shape: nlohmann parses it alone, and its DOM is converted as the slow path does.
    end = skip_json_value(text, offset);
    if (end == std::string_view::npos) return end;
    Json dom;
    try {
      dom = Json::parse(text.substr(offset, end - offset));
    } catch (const Json::exception&) {
      return std::string_view::npos;
    }
    if (!convert) return end;
    StreamedArrays& into = target(array);
    out_.element_error = convert_dom_element(dom, shape_, prefix_, array.result, array.kind, index, into);
    if (!out_.element_error) done_with_element(array, into);
    return end;
  }

  void done_with_element(const BigArray& array, StreamedArrays& target) const {
    if (array.kind == BigArrayKind::kFiles) {
      if (on_file_) (*on_file_)(array.result, target.files.back());
      if (!keep_.files) target.files.pop_back();
    } else if (!keep_.hashes) {
      target.hashes.pop_back();
    }
  }

  std::string_view text_;
  StreamShape shape_;
  std::string_view prefix_;
  KeepLists keep_;
  const FileVisitor* on_file_;
  StreamedJson& out_;
  std::vector<FlatMember> members_;  // reused from element to element
  bool reserved_ = false;            // for the array being read
};

bool any_streamed(const StreamedJson& parsed) {
  return std::any_of(parsed.results.begin(), parsed.results.end(),
                     [](const auto& r) { return !r.files.empty() || !r.hashes.empty(); });
}

}  // namespace

std::optional<Error> convert_element_text(std::string_view text, BigArrayKind kind, size_t index,
                                          std::string_view path_prefix, std::vector<FlatMember>& scratch,
                                          StreamedArrays& target) {
  size_t end = 0;
  if (read_flat_object(text, end, scratch) && skip_json_space(text, end) == text.size() &&
      (kind == BigArrayKind::kFiles ? convert_file(scratch, target.files) : convert_hash(scratch, target.hashes))) {
    return std::nullopt;
  }
  Json dom = Json::parse(text, nullptr, false);
  if (dom.is_discarded()) {
    return Error{ErrorCode::kInvalidArgument, fmt::format("invalid JSON in element {} of a list", index)};
  }
  return convert_dom_element(dom, StreamShape::kSnapshotResult, path_prefix, 0, kind, index, target);
}

std::optional<Result<StreamedJson>> parse_streamed_fast(std::string_view text, StreamShape shape,
                                                        std::string_view path_prefix,
                                                        std::optional<size_t> only_result, KeepLists keep,
                                                        const FileVisitor* on_file) {
  auto arrays = locate_big_arrays(text, shape, only_result);
  if (!arrays || arrays->empty()) return std::nullopt;
  std::string outline = without_big_arrays(text, *arrays);
  auto parsed = parse_streamed_slow(outline, shape, path_prefix, only_result, keep, on_file);
  if (!parsed || parsed->element_error || any_streamed(*parsed)) return std::nullopt;
  BigArrayReader reader(text, shape, path_prefix, keep, on_file, *parsed);
  for (const auto& array : *arrays) {
    if (!reader.read(array)) return std::nullopt;
  }
  return parsed;
}

}  // namespace astacus::manifest::detail

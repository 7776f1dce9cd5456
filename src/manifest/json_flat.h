#pragma once
// Internal to the manifest layer (json_stream*.cc): an element of a big array (a file entry of
// state.files, a hash entry of hashes) as a flat list of scalar members, its direct conversion
// when it has exactly the expected shape, and a reader that takes such an element straight from
// the text without nlohmann's lexer (which builds strings a byte at a time: ~75 MB/s).
// Anything else goes through a small DOM and the DOM readers, so errors read the same.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "manifest/json_stream.h"
#include "manifest/types.h"

namespace astacus::manifest::detail {

/// One scalar member of an element object, as a JSON parser reports it.
struct FlatMember {
  enum class Kind { kNull, kBool, kInteger, kUnsigned, kFloat, kString };
  std::string key;
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string s;

  nlohmann::ordered_json to_json() const;
};

/// Converts a flat file entry of the expected shape (each known key at most once, with a value
/// the DOM reader accepts, no other key); false leaves `members` for the DOM path.
bool convert_file(std::vector<FlatMember>& members, std::vector<SnapshotFile>& out);
/// The same for a hash entry.
bool convert_hash(std::vector<FlatMember>& members, std::vector<SnapshotHash>& out);

/// Reads the object starting at `pos` when it has the common shape: keys and string values of
/// printable ASCII without escapes, values null, true, false or integers in 64 bits. On success
/// `members` holds its members and `pos` is just past it. False (with `pos` and `members` left
/// unspecified) for any other value, malformed ones included: a real parser then decides.
bool read_flat_object(std::string_view text, size_t& pos, std::vector<FlatMember>& members);

/// How many times `needle` occurs in `text` (to reserve a big array's room before reading it).
size_t count_occurrences(std::string_view text, std::string_view needle);

/// Which big array an element belongs to.
enum class BigArrayKind { kFiles, kHashes };

/// Converts element number `index` of a big array of snapshot result `result` from its DOM with
/// the DOM readers, appending it to `target`; the error names the element's field path.
std::optional<Error> convert_dom_element(const nlohmann::ordered_json& element, StreamShape shape,
                                         std::string_view path_prefix, size_t result, BigArrayKind kind,
                                         size_t index, StreamedArrays& target);

/// Converts element number `index` of a big array of a snapshot result from its exact text, as
/// parse_streamed does (read_flat_object, else a DOM), appending it to `target`. The error
/// (a syntax error included) names the element's field path. `scratch` is reused between calls.
std::optional<Error> convert_element_text(std::string_view text, BigArrayKind kind, size_t index,
                                          std::string_view path_prefix, std::vector<FlatMember>& scratch,
                                          StreamedArrays& target);

/// parse_streamed with nlohmann's SAX parser over the whole text (json_stream.cc).
Result<StreamedJson> parse_streamed_slow(std::string_view text, StreamShape shape, std::string_view path_prefix,
                                         std::optional<size_t> only_result, KeepLists keep,
                                         const FileVisitor* on_file);

/// parse_streamed reading the big arrays with read_flat_object (json_stream_fast.cc); nullopt
/// when the text has a shape it does not handle or a syntax error, so that the slow path
/// parses it and reports errors exactly as before.
std::optional<Result<StreamedJson>> parse_streamed_fast(std::string_view text, StreamShape shape,
                                                        std::string_view path_prefix,
                                                        std::optional<size_t> only_result, KeepLists keep,
                                                        const FileVisitor* on_file);

}  // namespace astacus::manifest::detail

#pragma once
// Structure-only scanning of JSON text: where values end, without decoding or building anything.
// It lets a reader drop members it does not need (a node status's 20 MB file list) before handing
// the rest to a real parser; nlohmann's lexer would take a few hundred ms just to skip them.
// Only brackets, strings and escapes are looked at: the real parser still validates what is kept.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace astacus::manifest {

/// The offset just past the JSON value starting at or after `pos` (leading whitespace skipped),
/// or std::string_view::npos when the text ends first or the structure is broken.
size_t skip_json_value(std::string_view text, size_t pos);

/// `object_text` (a JSON object) without its top-level members named in `names` (matched on the
/// raw key text). nullopt when the text is not a structurally sound object: callers then parse
/// it whole, so malformed input still gets the real parser's error.
std::optional<std::string> without_members(std::string_view object_text, std::initializer_list<std::string_view> names);

/// Where a value lies in a JSON text: `text.substr(offset, size)`.
struct TextSpan {
  size_t offset = 0;
  size_t size = 0;
};

/// The span of the value of the top-level member `name` (raw key text) of `object_text`.
/// nullopt when the object has no such member, has it more than once, or is not structurally
/// sound.
std::optional<TextSpan> sole_member_value(std::string_view object_text, std::string_view name);

/// A top-level member of an object: its raw key text and where its value lies.
struct MemberSpan {
  std::string_view key;
  TextSpan value;
};

/// Every top-level member of `object_text`, in order. nullopt when the object is not
/// structurally sound or any of its keys holds an escape (a key is then not known by its raw
/// text: callers take the path of a real parser).
std::optional<std::vector<MemberSpan>> members_of(std::string_view object_text);

/// The offset of the first byte at or after `pos` that is not JSON whitespace.
size_t skip_json_space(std::string_view text, size_t pos);

}  // namespace astacus::manifest

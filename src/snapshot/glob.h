#pragma once
// Snapshot groups and the glob dialect that selects their files (spec §6.1).
//
// Globs follow Python wcmatch `globmatch` with GLOBSTAR and without DOTGLOB, matched against a
// whole '/'-separated relative path:
//   *      any run of characters within one path component (never '/')
//   ?      one character (never '/');  [abc] [a-z] [!x] [^x] [[:alpha:]]  one character of a class
//   **     as a whole component: zero or more components (a trailing "x/**" needs at least one)
//   \c     the literal character c
// Wildcards never match a '.' that starts a component ("**" never enters dot components), but
// literal dots do: ".hidden" matches ".hidden" and, as in wcmatch, "*.txt" matches ".txt" (the
// star matches nothing there). Matching is case-sensitive. Patterns starting with '/' match nothing.
//
// Thread-safety: everything here is immutable after construction and safe to share.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace astacus::snapshot {

/// One glob group of a snapshot request (Python `SnapshotGroup`).
struct SnapshotGroup {
  std::string root_glob;
  std::vector<std::string> excluded_names;  // base names never included by this group
  /// Files up to this size are embedded in the manifest; nullopt = embed every file.
  std::optional<int64_t> embedded_file_size_max = 200;
};

/// A compiled glob pattern.
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  bool match(std::string_view relative_path) const;

  /// One element of a component pattern.
  struct Token {
    enum class Kind { kLiteral, kAny, kStar, kClass } kind = Kind::kLiteral;
    char literal = 0;
    std::bitset<256> chars;  // kClass: the accepted bytes (negation already applied)
  };
  struct Component {
    bool globstar = false;      // the whole component is "**"
    std::vector<Token> tokens;  // otherwise: the component's pattern
  };

 private:
  bool absolute_ = false;
  std::vector<Component> components_;
};

/// True when `glob` matches the whole relative path (see the dialect above).
bool glob_match(std::string_view glob, std::string_view relative_path);

/// Whether a file belongs to the snapshot and, if so, how it is stored.
struct GroupMatch {
  bool included = false;
  /// Embedding limit shared by all including groups; nullopt = always embed. Unset if !included.
  std::optional<int64_t> embed_max;

  /// Embedded iff the limit is null or size <= limit (only meaningful when included).
  bool embeds(int64_t size) const { return !embed_max || size <= *embed_max; }
};

/// A list of groups compiled once for many files.
class CompiledGroups {
 public:
  explicit CompiledGroups(const std::vector<SnapshotGroup>& groups);

  /// A file is in a group iff the group's glob matches and its base name is not excluded.
  /// Groups including the same file must agree on embedded_file_size_max, else InvalidArgument
  /// naming the file.
  Result<GroupMatch> match(std::string_view relative_path) const;

 private:
  struct Entry {
    Glob glob;
    std::vector<std::string> excluded_names;
    std::optional<int64_t> embed_max;
  };
  std::vector<Entry> groups_;
};

/// One-shot form of CompiledGroups::match.
Result<GroupMatch> match_groups(const std::vector<SnapshotGroup>& groups,
                                std::string_view relative_path);

}  // namespace astacus::snapshot

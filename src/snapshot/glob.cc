#include "snapshot/glob.h"

#include <array>
#include <cctype>

namespace astacus::snapshot {

namespace {

using Token = Glob::Token;
using Kind = Glob::Token::Kind;

std::vector<std::string_view> split_components(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "[:name:]" inside a bracket expression; returns false for unknown names.
bool add_posix_class(std::string_view name, std::bitset<256>& chars) {
  using Pred = int (*)(int);
  static const std::array<std::pair<std::string_view, Pred>, 12> kClasses{{
      {"alnum", [](int c) { return std::isalnum(c); }},
      {"alpha", [](int c) { return std::isalpha(c); }},
      {"ascii", [](int c) { return c < 128 ? 1 : 0; }},
      {"blank", [](int c) { return std::isblank(c); }},
      {"cntrl", [](int c) { return std::iscntrl(c); }},
      {"digit", [](int c) { return std::isdigit(c); }},
      {"graph", [](int c) { return std::isgraph(c); }},
      {"lower", [](int c) { return std::islower(c); }},
      {"print", [](int c) { return std::isprint(c); }},
      {"punct", [](int c) { return std::ispunct(c); }},
      {"space", [](int c) { return std::isspace(c); }},
      {"upper", [](int c) { return std::isupper(c); }},
  }};
  for (const auto& [n, pred] : kClasses) {
    if (n != name) continue;
    for (int c = 0; c < 128; ++c) {
      if (pred(c)) chars.set(static_cast<size_t>(c));
    }
    return true;
  }
  if (name == "xdigit") {
    for (int c = 0; c < 128; ++c) {
      if (std::isxdigit(c)) chars.set(static_cast<size_t>(c));
    }
    return true;
  }
  return false;
}

// Parses a bracket expression starting at p[i] == '['. On success sets `out` and returns the
// index just past ']'; returns 0 when the bracket is not closed (then '[' is a literal).
size_t parse_class(std::string_view p, size_t i, Token& out) {
  size_t j = i + 1;
  bool negated = false;
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
    negated = true;
    ++j;
  }
  std::bitset<256> chars;
  bool first = true;
  while (j < p.size()) {
    char c = p[j];
    if (c == ']' && !first) {
      out.kind = Kind::kClass;
      out.chars = negated ? ~chars : chars;
      return j + 1;
    }
    first = false;
    if (c == '[' && j + 1 < p.size() && p[j + 1] == ':') {
      size_t end = p.find(":]", j + 2);
      if (end != std::string_view::npos && add_posix_class(p.substr(j + 2, end - j - 2), chars)) {
        j = end + 2;
        continue;
      }
    }
    if (c == '\\' && j + 1 < p.size()) c = p[++j];
    unsigned char lo = static_cast<unsigned char>(c);
    unsigned char hi = lo;
    if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
      size_t k = j + 2;
      char h = p[k];
      if (h == '\\' && k + 1 < p.size()) h = p[++k];
      hi = static_cast<unsigned char>(h);
      j = k;
    }
    for (unsigned v = lo; v <= hi; ++v) chars.set(v);  // a reversed range adds nothing
    ++j;
  }
  return 0;
}

std::vector<Token> parse_component(std::string_view p) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    Token t;
    if (c == '*') {
      ++i;
      if (!tokens.empty() && tokens.back().kind == Kind::kStar) continue;
      t.kind = Kind::kStar;
    } else if (c == '?') {
      ++i;
      t.kind = Kind::kAny;
    } else if (c == '[') {
      size_t next = parse_class(p, i, t);
      if (next == 0) {
        t.literal = c;
        ++i;
      } else {
        i = next;
      }
    } else if (c == '\\') {
      if (i + 1 == p.size()) break;  // a trailing backslash escapes nothing
      t.literal = p[i + 1];
      i += 2;
    } else {
      t.literal = c;
      ++i;
    }
    tokens.push_back(t);
  }
  return tokens;
}

bool token_accepts(const Token& t, char c) {
  switch (t.kind) {
    case Kind::kLiteral: return t.literal == c;
    case Kind::kAny: return true;
    case Kind::kClass: return t.chars.test(static_cast<unsigned char>(c));
    case Kind::kStar: return false;
  }
  return false;
}

// Matches one non-empty path component. Wildcards at the component start refuse a leading '.'.
bool match_component(const std::vector<Token>& tokens, std::string_view s) {
  size_t ti = 0;
  if (!s.empty() && s[0] == '.' && !tokens.empty()) {
    Kind first = tokens[0].kind;
    if (first == Kind::kAny || first == Kind::kClass) return false;
    if (first == Kind::kStar) ti = 1;  // the star may only match nothing here
  }
  size_t si = 0;
  size_t star_ti = std::string_view::npos;
  size_t star_si = 0;
  while (si < s.size()) {
    if (ti < tokens.size() && tokens[ti].kind == Kind::kStar) {
      star_ti = ti++;
      star_si = si;
    } else if (ti < tokens.size() && token_accepts(tokens[ti], s[si])) {
      ++ti;
      ++si;
    } else if (star_ti != std::string_view::npos) {
      ti = star_ti + 1;
      si = ++star_si;
    } else {
      return false;
    }
  }
  while (ti < tokens.size() && tokens[ti].kind == Kind::kStar) ++ti;
  return ti == tokens.size();
}

bool match_from(const std::vector<Glob::Component>& pattern, size_t pi,
                const std::vector<std::string_view>& path, size_t ci) {
  if (pi == pattern.size()) return ci == path.size();
  const Glob::Component& comp = pattern[pi];
  if (!comp.globstar) {
    return ci < path.size() && match_component(comp.tokens, path[ci]) &&
           match_from(pattern, pi + 1, path, ci + 1);
  }
  // "**" consumes zero or more non-dot components; a trailing "x/**" needs at least one.
  size_t min = (pi + 1 == pattern.size() && pi > 0) ? 1 : 0;
  for (size_t k = ci;; ++k) {
    if (k - ci >= min && match_from(pattern, pi + 1, path, k)) return true;
    if (k == path.size() || path[k].front() == '.') return false;
  }
}

}  // namespace

Glob::Glob(std::string_view pattern) {
  absolute_ = !pattern.empty() && pattern.front() == '/';
  for (std::string_view part : split_components(pattern)) {
    Component comp;
    comp.globstar = part == "**";
    if (comp.globstar && !components_.empty() && components_.back().globstar) continue;
    if (!comp.globstar) comp.tokens = parse_component(part);
    components_.push_back(std::move(comp));
  }
}

bool Glob::match(std::string_view relative_path) const {
  if (absolute_ || components_.empty() || relative_path.empty()) return false;
  if (relative_path.front() == '/') return false;
  return match_from(components_, 0, split_components(relative_path), 0);
}

bool glob_match(std::string_view glob, std::string_view relative_path) {
  return Glob(glob).match(relative_path);
}

CompiledGroups::CompiledGroups(const std::vector<SnapshotGroup>& groups) {
  groups_.reserve(groups.size());
  for (const auto& g : groups) {
    groups_.push_back(Entry{Glob(g.root_glob), g.excluded_names, g.embedded_file_size_max});
  }
}

Result<GroupMatch> CompiledGroups::match(std::string_view relative_path) const {
  size_t slash = relative_path.rfind('/');
  std::string_view base =
      slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
  GroupMatch result;
  for (const auto& g : groups_) {
    if (!g.glob.match(relative_path)) continue;
    bool excluded = false;
    for (const auto& name : g.excluded_names) excluded = excluded || name == base;
    if (excluded) continue;
    if (result.included && result.embed_max != g.embed_max) {
      auto show = [](const std::optional<int64_t>& v) {
        return v ? std::to_string(*v) : std::string("null");
      };
      return errorf(ErrorCode::kInvalidArgument,
                    "file '{}' is in several snapshot groups with different "
                    "embedded_file_size_max ({} and {})",
                    relative_path, show(result.embed_max), show(g.embed_max));
    }
    result.included = true;
    result.embed_max = g.embed_max;
  }
  return result;
}

Result<GroupMatch> match_groups(const std::vector<SnapshotGroup>& groups,
                                std::string_view relative_path) {
  return CompiledGroups(groups).match(relative_path);
}

}  // namespace astacus::snapshot

#include "manifest/json_skim.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace astacus::manifest {

namespace {

constexpr size_t npos = std::string_view::npos;

size_t skip_space(std::string_view t, size_t pos) {
  while (pos < t.size() && (t[pos] == ' ' || t[pos] == '\t' || t[pos] == '\n' || t[pos] == '\r')) ++pos;
  return pos;
}

// The first byte at or after `pos` that is a quote or a backslash (`structural` false), or a
// quote or bracket (`structural` true); t.size() when there is none. SSE2 looks at 16 bytes a
// step: a node's file list is skimmed a few times per backup, ~1 MB per 4,000 files.
size_t find_special(std::string_view t, size_t pos, bool structural) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i case_bit = _mm_set1_epi8(0x20);  // '[' | 0x20 == '{', ']' | 0x20 == '}'
  const __m128i open = _mm_set1_epi8('{');
  const __m128i close = _mm_set1_epi8('}');
  for (; pos + 16 <= t.size(); pos += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data() + pos));
    __m128i hits = _mm_cmpeq_epi8(v, quote);
    if (structural) {
      __m128i folded = _mm_or_si128(v, case_bit);
      hits = _mm_or_si128(hits, _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close)));
    } else {
      hits = _mm_or_si128(hits, _mm_cmpeq_epi8(v, backslash));
    }
    if (int mask = _mm_movemask_epi8(hits)) return pos + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; pos < t.size(); ++pos) {
    char c = t[pos];
    if (c == '"' || (structural ? (c == '{' || c == '}' || c == '[' || c == ']') : c == '\\')) return pos;
  }
  return pos;
}

// `pos` at the opening quote; returns the offset past the closing one.
size_t skip_string(std::string_view t, size_t pos) {
  for (pos = find_special(t, pos + 1, false); pos < t.size(); pos = find_special(t, pos + 2, false)) {
    if (t[pos] == '"') return pos + 1;  // else a backslash: the escaped character cannot end it
  }
  return npos;
}

// `pos` at '{' or '['; returns the offset past the matching bracket.
size_t skip_container(std::string_view t, size_t pos) {
  std::string open;  // the brackets still open, innermost last
  for (; pos < t.size(); pos = find_special(t, pos, true)) {
    char c = t[pos];
    if (c == '"') {
      pos = skip_string(t, pos);
      if (pos == npos) return npos;
      continue;
    }
    if (c == '{' || c == '[') {
      open.push_back(c);
    } else {
      if (open.empty() || open.back() != (c == '}' ? '{' : '[')) return npos;
      open.pop_back();
      if (open.empty()) return pos + 1;
    }
    ++pos;
  }
  return npos;
}

}  // namespace

size_t skip_json_value(std::string_view t, size_t pos) {
  pos = skip_space(t, pos);
  if (pos >= t.size()) return npos;
  char c = t[pos];
  if (c == '"') return skip_string(t, pos);
  if (c == '{' || c == '[') return skip_container(t, pos);
  if (c == '}' || c == ']' || c == ',' || c == ':') return npos;
  size_t end = pos;  // a number or literal: up to the next delimiter
  while (end < t.size() && !std::strchr(",}] \t\r\n", t[end])) ++end;
  return end;
}

namespace {

/// Calls `member(key, value_offset, value_end)` for each top-level member of `t`, a JSON object,
/// in order. False when `t` is not a structurally sound object.
template <class OnMember>
bool for_each_member(std::string_view t, OnMember&& member) {
  size_t pos = skip_space(t, 0);
  if (pos >= t.size() || t[pos] != '{') return false;
  pos = skip_space(t, pos + 1);
  if (pos < t.size() && t[pos] == '}') return skip_space(t, pos + 1) == t.size();
  while (true) {
    if (pos >= t.size() || t[pos] != '"') return false;
    size_t key_end = skip_string(t, pos);
    if (key_end == npos) return false;
    std::string_view key = t.substr(pos + 1, key_end - pos - 2);
    size_t colon = skip_space(t, key_end);
    if (colon >= t.size() || t[colon] != ':') return false;
    size_t value_start = skip_space(t, colon + 1);
    size_t value_end = skip_json_value(t, value_start);
    if (value_end == npos) return false;
    member(key, pos, value_start, value_end);
    pos = skip_space(t, value_end);
    if (pos >= t.size()) return false;
    if (t[pos] == '}') return skip_space(t, pos + 1) == t.size();
    if (t[pos] != ',') return false;
    pos = skip_space(t, pos + 1);
  }
}

}  // namespace

std::optional<std::string> without_members(std::string_view t, std::initializer_list<std::string_view> names) {
  std::string out = "{";
  bool first = true;
  bool sound = for_each_member(t, [&](std::string_view key, size_t key_start, size_t, size_t value_end) {
    if (std::find(names.begin(), names.end(), key) != names.end()) return;
    if (!first) out += ',';
    out.append(t.substr(key_start, value_end - key_start));
    first = false;
  });
  if (!sound) return std::nullopt;
  return out + "}";
}

std::optional<TextSpan> sole_member_value(std::string_view t, std::string_view name) {
  std::optional<TextSpan> found;
  size_t count = 0;
  bool sound = for_each_member(t, [&](std::string_view key, size_t, size_t value_start, size_t value_end) {
    if (key != name) return;
    ++count;
    found = TextSpan{value_start, value_end - value_start};
  });
  if (!sound || count != 1) return std::nullopt;
  return found;
}

std::optional<std::vector<MemberSpan>> members_of(std::string_view t) {
  std::vector<MemberSpan> found;
  bool escaped_key = false;
  bool sound = for_each_member(t, [&](std::string_view key, size_t, size_t value_start, size_t value_end) {
    escaped_key = escaped_key || key.find('\\') != std::string_view::npos;
    found.push_back({key, TextSpan{value_start, value_end - value_start}});
  });
  if (!sound || escaped_key) return std::nullopt;
  return found;
}

size_t skip_json_space(std::string_view text, size_t pos) { return skip_space(text, pos); }

}  // namespace astacus::manifest

#pragma once
// A blob name: the lowercase hex BLAKE2s-256 digest of a file, kept as its 32 bytes.
//
// A 64-character std::string costs 112 bytes (32 inline + an 80-byte heap block); a node
// snapshot, an upload plan and the coordinator's manifest hold one or two per file, which made
// hexdigests the largest part of the memory of a backup of a million small files. Text that is
// not a canonical digest (tests' made-up names, a hand-edited DB row) is kept verbatim on the
// heap, so a Hexdigest always gives back exactly the text it was made from. 40 bytes: all-zero
// bytes without text mean empty, so the all-zero digest (which BLAKE2s does not give in practice)
// is kept as text.
//
// Thread-safety: a value type; const methods may run concurrently.

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace astacus::manifest {

/// Whether `text` is 64 lowercase hex digits (what Hexdigest keeps as bytes).
bool is_canonical_hexdigest(std::string_view text);

class Hexdigest {
 public:
  Hexdigest() = default;
  Hexdigest(std::string_view text);  // NOLINT(google-explicit-constructor): a digest is its text
  Hexdigest(const std::string& text) : Hexdigest(std::string_view(text)) {}  // NOLINT
  Hexdigest(const char* text) : Hexdigest(std::string_view(text)) {}         // NOLINT
  Hexdigest(const Hexdigest& other);
  Hexdigest(Hexdigest&&) noexcept = default;
  Hexdigest& operator=(const Hexdigest& other);
  Hexdigest& operator=(Hexdigest&&) noexcept = default;
  ~Hexdigest() = default;

  bool empty() const { return !other_ && zero_bytes(); }
  /// 64 lowercase hex digits, not all zero (kept as bytes); such text needs no JSON escaping.
  bool canonical() const { return !other_ && !zero_bytes(); }
  /// The digest's bytes (all zero unless canonical()).
  const std::array<uint8_t, 32>& bytes() const { return bytes_; }
  /// The text it was made from ("" when empty).
  std::string str() const;
  operator std::string() const { return str(); }  // NOLINT(google-explicit-constructor)
  /// Appends the text to `out` (no temporary string).
  void append_to(std::string& out) const;
  size_t hash() const;

  friend bool operator==(const Hexdigest& a, const Hexdigest& b);
  friend bool operator==(const Hexdigest& a, std::string_view b) { return a == Hexdigest(b); }
  friend bool operator==(const Hexdigest& a, const std::string& b) { return a == Hexdigest(b); }
  friend bool operator==(const Hexdigest& a, const char* b) { return a == Hexdigest(b); }
  friend std::ostream& operator<<(std::ostream& out, const Hexdigest& h);  // tests' messages
  /// The order of the texts.
  friend bool operator<(const Hexdigest& a, const Hexdigest& b);

 private:
  bool zero_bytes() const;

  std::array<uint8_t, 32> bytes_{};     // all zero when empty or other_ is set
  std::unique_ptr<std::string> other_;  // non-canonical text (rare)
};

}  // namespace astacus::manifest

template <>
struct std::hash<astacus::manifest::Hexdigest> {
  size_t operator()(const astacus::manifest::Hexdigest& h) const { return h.hash(); }
};

template <>
struct fmt::formatter<astacus::manifest::Hexdigest> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const astacus::manifest::Hexdigest& h, Context& ctx) const {
    std::string text = h.str();
    return fmt::formatter<std::string_view>::format(std::string_view(text), ctx);
  }
};

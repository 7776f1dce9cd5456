#include "manifest/hexdigest.h"

#include <cstring>
#include <ostream>

namespace astacus::manifest {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

/// Each byte's value as a lowercase hex digit, or 0xff (uppercase is not canonical: such text
/// is kept as it is, so that it prints back unchanged). A table: a manifest holds one digest
/// per file, and the branchy version was a quarter of reading a node's file list.
constexpr std::array<uint8_t, 256> kNibbles = [] {
  std::array<uint8_t, 256> table{};
  for (auto& v : table) v = 0xff;
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<uint8_t>(c - 'a' + 10);
  return table;
}();

uint8_t nibble(char c) { return kNibbles[static_cast<unsigned char>(c)]; }

}  // namespace

bool is_canonical_hexdigest(std::string_view text) {
  if (text.size() != 64) return false;
  uint8_t invalid = 0;
  for (char c : text) invalid |= nibble(c);
  return !(invalid & 0x80);
}

Hexdigest::Hexdigest(std::string_view text) {
  if (text.empty()) return;
  if (text.size() == 2 * bytes_.size()) {
    uint8_t invalid = 0;  // any 0xff nibble leaves its high bit set
    for (size_t i = 0; i < bytes_.size(); ++i) {
      uint8_t hi = nibble(text[2 * i]);
      uint8_t lo = nibble(text[2 * i + 1]);
      invalid |= hi | lo;
      bytes_[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    if (!(invalid & 0x80) && !zero_bytes()) return;
    bytes_ = {};
  }
  other_ = std::make_unique<std::string>(text);
}

static_assert(sizeof(Hexdigest) == 40, "a manifest holds one or two per file");

bool Hexdigest::zero_bytes() const {
  uint64_t words[4];
  std::memcpy(words, bytes_.data(), sizeof words);
  return (words[0] | words[1] | words[2] | words[3]) == 0;
}

Hexdigest::Hexdigest(const Hexdigest& other) : bytes_(other.bytes_) {
  if (other.other_) other_ = std::make_unique<std::string>(*other.other_);
}

Hexdigest& Hexdigest::operator=(const Hexdigest& other) {
  if (this != &other) *this = Hexdigest(other);
  return *this;
}

std::string Hexdigest::str() const {
  std::string out;
  append_to(out);
  return out;
}

void Hexdigest::append_to(std::string& out) const {
  if (other_) {
    out += *other_;
    return;
  }
  if (zero_bytes()) return;
  size_t at = out.size();
  out.resize(at + 2 * bytes_.size());
  for (uint8_t b : bytes_) {
    out[at++] = kDigits[b >> 4];
    out[at++] = kDigits[b & 15];
  }
}

size_t Hexdigest::hash() const {
  if (other_) return std::hash<std::string>{}(*other_);
  size_t h = 0;
  std::memcpy(&h, bytes_.data(), sizeof h);  // the bytes of a digest are uniformly spread
  return h;
}

bool operator==(const Hexdigest& a, const Hexdigest& b) {
  if (!a.other_ && !b.other_) return a.bytes_ == b.bytes_;  // both empty, or both digests
  return a.other_ && b.other_ && *a.other_ == *b.other_;
}

std::ostream& operator<<(std::ostream& out, const Hexdigest& h) { return out << h.str(); }

bool operator<(const Hexdigest& a, const Hexdigest& b) {
  // Lowercase hex keeps the order of the bytes it encodes.
  if (a.canonical() && b.canonical()) return a.bytes_ < b.bytes_;
  return a.str() < b.str();
}

}  // namespace astacus::manifest

#include "storage/pack/pack_index.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/encoding.h"

namespace astacus::storage::pack {

namespace {

constexpr std::string_view kMagic = "astpk1\n";
constexpr size_t kEntrySize = 32 + 8 + 4;

template <typename T>
void put_le(std::string& out, T value) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Reads little-endian integers and byte runs, failing once past the end.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : rest_(bytes) {}

  template <typename T>
  std::optional<T> le() {
    if (rest_.size() < sizeof(T)) return std::nullopt;
    T value = 0;
    for (size_t i = 0; i < sizeof(T); ++i) value |= static_cast<T>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(sizeof(T));
    return value;
  }
  std::optional<std::string_view> bytes(size_t n) {
    if (rest_.size() < n) return std::nullopt;
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

Result<Metadata> parse_metadata(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_array()) return errorf(ErrorCode::kCorruption, "entry metadata is not a JSON array");
  Metadata out;
  for (const auto& pair : json) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
      return errorf(ErrorCode::kCorruption, "entry metadata holds something other than [key, value] strings");
    }
    out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
  }
  return out;
}

}  // namespace

std::optional<Digest> digest_of(std::string_view hexdigest) {
  // Lowercase only: data/<NAME> and data/<name> would be two blobs.
  bool lowercase_hex = std::all_of(hexdigest.begin(), hexdigest.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (hexdigest.size() != 64 || !lowercase_hex) return std::nullopt;
  std::string bytes = from_hex(hexdigest).value();
  Digest out{};
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

std::string hex_of(const Digest& digest) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string encode_index(const Index& index) {
  nlohmann::json metadata = nlohmann::json::array();
  for (const auto& [k, v] : index.entry_metadata) metadata.push_back({k, v});
  std::string metadata_text = metadata.dump();
  std::string out(kMagic);
  out.reserve(kMagic.size() + 8 + metadata_text.size() + index.entries.size() * kEntrySize);
  put_le<uint32_t>(out, static_cast<uint32_t>(metadata_text.size()));
  out += metadata_text;
  put_le<uint32_t>(out, static_cast<uint32_t>(index.entries.size()));
  for (const auto& entry : index.entries) {
    out.append(reinterpret_cast<const char*>(entry.digest.data()), entry.digest.size());
    put_le<uint64_t>(out, entry.offset);
    put_le<uint32_t>(out, entry.length);
  }
  return out;
}

Result<Index> decode_index(std::string_view bytes, const std::string& key) {
  auto corrupt = [&](std::string_view why) {
    return errorf(ErrorCode::kCorruption, "pack index '{}' is corrupt: {}", key, why);
  };
  if (!bytes.starts_with(kMagic)) return corrupt("it does not start with the astpk1 magic");
  Cursor in(bytes.substr(kMagic.size()));
  auto metadata_size = in.le<uint32_t>();
  auto metadata_text = metadata_size ? in.bytes(*metadata_size) : std::nullopt;
  if (!metadata_text) return corrupt("truncated in its metadata");
  Index index;
  auto metadata = parse_metadata(*metadata_text);
  if (!metadata) return corrupt(metadata.error().message);
  index.entry_metadata = std::move(*metadata);
  auto count = in.le<uint32_t>();
  if (!count || in.left() != static_cast<uint64_t>(*count) * kEntrySize) {
    return corrupt("its entry count does not match its size");
  }
  index.entries.resize(*count);
  for (auto& entry : index.entries) {
    std::memcpy(entry.digest.data(), in.bytes(entry.digest.size())->data(), entry.digest.size());
    entry.offset = *in.le<uint64_t>();
    entry.length = *in.le<uint32_t>();
  }
  return index;
}

std::string pack_key(std::string_view id) { return fmt::format("{}/{}", kPackDir, id); }
std::string index_key(std::string_view id) { return fmt::format("{}/{}{}", kPackDir, id, kIndexSuffix); }

}  // namespace astacus::storage::pack

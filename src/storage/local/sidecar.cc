#include "storage/local/sidecar.h"

#include <cstdint>
#include <nlohmann/json.hpp>

namespace astacus::storage::local {

namespace {

constexpr std::string_view kHashKey = "_hash";

// Decodes one UTF-8 sequence at `pos`; returns false for malformed input.
bool next_code_point(std::string_view s, size_t& pos, uint32_t& cp) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t b0 = byte(pos);
  size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || pos + len > s.size()) return false;
  cp = len == 1 ? b0 : b0 & (0xff >> (len + 1));
  for (size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (byte(pos + i) & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  pos += len;
  return true;
}

// Python json's ensure_ascii encoding of one string, quotes included.
Status append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (size_t pos = 0; pos < s.size();) {
    uint32_t cp = 0;
    if (!next_code_point(s, pos, cp)) {
      return errorf(ErrorCode::kInvalidArgument, "metadata string is not valid UTF-8: '{}'", s);
    }
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x10000) {
      out += fmt::format("\\u{:04x}", cp);
    } else {
      uint32_t v = cp - 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    }
  }
  out.push_back('"');
  return ok();
}

}  // namespace

Result<std::string> format_sidecar(const Metadata& metadata, std::string_view hash) {
  std::string out = "{";
  auto add = [&](std::string_view key, std::string_view value) -> Status {
    if (out.size() > 1) out += ", ";
    ASTACUS_CHECK(append_json_string(out, key));
    out += ": ";
    return append_json_string(out, value);
  };
  for (const auto& [key, value] : metadata) ASTACUS_CHECK(add(key, value));
  ASTACUS_CHECK(add(kHashKey, hash));
  out += "}";
  return out;
}

Result<Sidecar> parse_sidecar(std::string_view text) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return errorf(ErrorCode::kCorruption, "metadata sidecar is not a JSON object");
  Sidecar sidecar;
  for (const auto& [key, value] : doc.items()) {
    std::string text_value = value.is_string() ? value.get<std::string>() : value.dump();
    if (key == kHashKey) {
      sidecar.hash = value.is_string() ? text_value : "";
    } else {
      sidecar.metadata.emplace_back(key, std::move(text_value));
    }
  }
  return sidecar;
}

}  // namespace astacus::storage::local

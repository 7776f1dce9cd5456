// JSON object resources and list pages of the GCS JSON API.
#include "storage/gcs/gcs_resources.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "codec/crc32c.h"

namespace astacus::storage::gcs {

namespace {

using Json = nlohmann::json;

// CRC-32C arithmetic: polynomials over GF(2) modulo the CRC-32C polynomial, in the CRC register's
// reflected bit order (bit 31 is the x^0 term, bit 0 the x^31 term).
constexpr uint32_t kCrc32cPolyReflected = 0x82f63b78;
constexpr uint32_t kX0 = uint32_t{1} << 31;  // the polynomial 1
constexpr uint32_t kX8 = uint32_t{1} << 23;  // x^8: one byte's shift

uint32_t times_x(uint32_t p) { return (p & 1) ? (p >> 1) ^ kCrc32cPolyReflected : p >> 1; }

uint32_t multiply_mod_poly(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int term = 0; term < 32; ++term) {  // b holds b * x^term
    if (a & (kX0 >> term)) product ^= b;
    b = times_x(b);
  }
  return product;
}

// x^(8 * bytes) mod P, by squaring.
uint32_t shift_of_bytes(uint64_t bytes) {
  uint32_t result = kX0;
  for (uint32_t power = kX8; bytes != 0; bytes >>= 1, power = multiply_mod_poly(power, power)) {
    if (bytes & 1) result = multiply_mod_poly(result, power);
  }
  return result;
}

std::string string_of(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

Result<Json> parse_json_object(std::string_view body, std::string_view what) {
  Json json = Json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return errorf(ErrorCode::kInvalidArgument, "GCS answered something that is not {}: {}", what,
                  std::string(body.substr(0, 200)));
  }
  return json;
}

}  // namespace

Result<std::string> upload_resource(const std::string& name, const Metadata& metadata) {
  nlohmann::ordered_json body = {{"name", name}, {"metadata", nlohmann::ordered_json::object()}};
  for (const auto& [key, value] : metadata) body["metadata"][key] = value;
  try {
    return body.dump();
  } catch (const nlohmann::json::exception& e) {
    return errorf(ErrorCode::kInvalidArgument, "object '{}': name or metadata is not valid UTF-8 ({})", name,
                  e.what());
  }
}

Result<ObjectResource> parse_object(std::string_view body) {
  Json json = ASTACUS_TRY(parse_json_object(body, "an object resource"));
  if (!json.contains("name") || !json["name"].is_string()) {
    return errorf(ErrorCode::kInvalidArgument, "GCS object resource without a name: {}",
                  std::string(body.substr(0, 200)));
  }
  ObjectResource out;
  out.name = json["name"].get<std::string>();
  if (json.contains("generation")) out.generation = string_of(json["generation"]);
  if (json.contains("size")) {
    std::string size = string_of(json["size"]);
    std::from_chars(size.data(), size.data() + size.size(), out.size);
  }
  if (json.contains("crc32c") && json["crc32c"].is_string()) out.crc32c = json["crc32c"].get<std::string>();
  if (json.contains("metadata") && json["metadata"].is_object()) {
    for (const auto& [key, value] : json["metadata"].items()) out.metadata.emplace_back(key, string_of(value));
  }
  return out;
}

Result<ListPage> parse_list_page(std::string_view body) {
  Json json = ASTACUS_TRY(parse_json_object(body, "an objects.list page"));
  ListPage page;
  if (json.contains("items") && json["items"].is_array()) {
    for (const auto& item : json["items"]) {
      if (item.is_object() && item.contains("name") && item["name"].is_string()) {
        page.names.push_back(item["name"].get<std::string>());
      }
    }
  }
  if (json.contains("prefixes") && json["prefixes"].is_array()) {
    for (const auto& prefix : json["prefixes"]) {
      if (prefix.is_string()) page.prefixes.push_back(prefix.get<std::string>());
    }
  }
  if (json.contains("nextPageToken") && json["nextPageToken"].is_string()) {
    page.next_page_token = json["nextPageToken"].get<std::string>();
  }
  return page;
}

std::string crc32c_base64(std::string_view data) { return crc32c_value_base64(codec::crc32c(data)); }

std::string crc32c_value_base64(uint32_t crc) {
  char bytes[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                   static_cast<char>(crc)};
  return base64_encode(std::string_view(bytes, 4));
}

// CRC-32C is affine in its register: running `data` from A's register equals running it from the
// initial register, plus A's CRC carried through len(data) zero bytes (a multiplication by
// x^(8 len) mod P), the initial/final inversions cancelling out.
uint32_t crc32c_extend(uint32_t crc, std::string_view data) {
  return codec::crc32c(data) ^ multiply_mod_poly(crc, shift_of_bytes(data.size()));
}

}  // namespace astacus::storage::gcs

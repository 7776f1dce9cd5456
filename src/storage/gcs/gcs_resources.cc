// JSON object resources and list pages of the GCS JSON API.
#include "storage/gcs/gcs_resources.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "base/encoding.h"
#include "codec/crc32c.h"

namespace astacus::storage::gcs {

namespace {

using Json = nlohmann::json;

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

std::string crc32c_base64(std::string_view data) {
  uint32_t crc = codec::crc32c(data);
  char bytes[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                   static_cast<char>(crc)};
  return base64_encode(std::string_view(bytes, 4));
}

}  // namespace astacus::storage::gcs

// Object names, list prefixes and JSON API URLs of a GCS site.
#include "storage/gcs/gcs_names.h"

#include <fmt/format.h>

namespace astacus::storage::gcs {

std::string normalize_prefix(std::string_view prefix) {
  std::string out(prefix);
  if (!out.empty() && out.back() != '/') out += '/';
  return out;
}

std::string object_name(std::string_view normalized_prefix, std::string_view key) {
  std::string out = std::string(normalized_prefix) + std::string(key);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string list_prefix(std::string_view normalized_prefix, std::string_view dir) {
  std::string out = std::string(normalized_prefix) + std::string(dir);
  if (out.empty() || out.back() != '/') out += '/';
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string Urls::object(std::string_view name) const {
  return fmt::format("{}/storage/v1/b/{}/o/{}", endpoint, url_encode(bucket), url_encode(name));
}

std::string Urls::media(std::string_view name, std::string_view generation) const {
  std::string url = object(name) + "?alt=media";
  if (!generation.empty()) url += "&generation=" + url_encode(generation);
  return url;
}

std::string Urls::pinned_media(std::string_view name, std::string_view generation) const {
  std::string url = object(name) + "?alt=media";
  if (!generation.empty()) url += "&ifGenerationMatch=" + url_encode(generation);
  return url;
}

std::string Urls::list(std::string_view prefix, std::string_view page_token, int max_results) const {
  std::string url = fmt::format("{}/storage/v1/b/{}/o?prefix={}&delimiter=%2F", endpoint, url_encode(bucket),
                                url_encode(prefix));
  if (max_results > 0) url += fmt::format("&maxResults={}", max_results);
  if (!page_token.empty()) url += "&pageToken=" + url_encode(page_token);
  return url;
}

std::string Urls::resumable_upload(std::string_view name) const {
  return fmt::format("{}/upload/storage/v1/b/{}/o?uploadType=resumable&name={}", endpoint, url_encode(bucket),
                     url_encode(name));
}

}  // namespace astacus::storage::gcs

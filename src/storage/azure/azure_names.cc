#include "storage/azure/azure_names.h"

#include <fmt/format.h>

namespace astacus::storage::azure {

namespace {

std::string_view endpoint_suffix(const std::optional<std::string>& cloud) {
  if (cloud == "germany") return "core.cloudapi.de";
  if (cloud == "china") return "core.chinacloudapi.cn";
  return "core.windows.net";
}

std::string_view strip_leading_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  return s;
}

}  // namespace

Endpoint endpoint_of(const config::AzureStorageConfig& config) {
  std::string scheme = config.is_secure ? "https" : "http";
  if (config.host && config.port) {
    return {fmt::format("{}://{}:{}", scheme, *config.host, *config.port),
            "/" + uri_encode(config.account_name, false)};
  }
  return {fmt::format("{}://{}.blob.{}", scheme, config.account_name, endpoint_suffix(config.azure_cloud)),
          ""};
}

std::string normalize_prefix(std::string_view prefix) {
  std::string out(strip_leading_slashes(prefix));
  if (!out.empty() && out.back() != '/') out.push_back('/');
  return out;
}

std::string blob_name(std::string_view normalized_prefix, std::string_view key) {
  std::string path = std::string(normalized_prefix) + std::string(key);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return std::string(strip_leading_slashes(path));
}

std::string list_prefix(std::string_view normalized_prefix, std::string_view dir) {
  std::string path = std::string(normalized_prefix) + std::string(dir);
  if (path.empty() || path.back() != '/') path.push_back('/');
  return std::string(strip_leading_slashes(path));
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace astacus::storage::azure

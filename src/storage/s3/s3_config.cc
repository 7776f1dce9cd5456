#include "storage/s3/s3_config.h"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace astacus::storage::s3 {

namespace {

// Bucket names that can be a DNS label (AWS virtual-hosted style): 3-63 of [a-z0-9-], no dots.
bool dns_compatible(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63 || bucket.front() == '-' || bucket.back() == '-') return false;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string bracket_ipv6(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

Result<std::chrono::milliseconds> timeout_ms(const std::string& site, std::string_view key,
                                             const std::optional<double>& seconds, int64_t default_ms) {
  if (!seconds) return std::chrono::milliseconds(default_ms);
  if (!(*seconds > 0) || *seconds > 86400) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}.{}: {} is not a number of seconds in (0, 86400]",
                  site, key, *seconds);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(*seconds * 1000)));
}

Result<Credentials> resolve_credentials(const std::string& site, const config::S3StorageConfig& c) {
  Credentials creds;
  if (c.aws_access_key_id || c.aws_secret_access_key) {
    if (!c.aws_access_key_id || !c.aws_secret_access_key) {
      return errorf(ErrorCode::kInvalidArgument,
                    "object_storage.storages.{}: aws_access_key_id and aws_secret_access_key must be set together",
                    site);
    }
    return Credentials{*c.aws_access_key_id, *c.aws_secret_access_key, c.aws_session_token.value_or("")};
  }
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = std::getenv("AWS_SESSION_TOKEN");
  if (!id || !secret || !*id || !*secret) {
    return errorf(ErrorCode::kInvalidArgument,
                  "object_storage.storages.{}.aws_access_key_id: required (or AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY in the environment)",
                  site);
  }
  return Credentials{id, secret, token ? token : ""};
}

Result<Endpoint> resolve_endpoint(const std::string& site, const config::S3StorageConfig& c) {
  Endpoint ep;
  if (c.host && c.port) {
    if (c.host->empty() || *c.port <= 0 || *c.port > 65535) {
      return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}: invalid host '{}' / port {}", site,
                    *c.host, *c.port);
    }
    ep.scheme = c.is_secure ? "https" : "http";
    ep.host = bracket_ipv6(*c.host);
    ep.port = *c.port;
    if (c.addressing_style != "path" && c.addressing_style != "virtual" && c.addressing_style != "auto") {
      return errorf(ErrorCode::kInvalidArgument,
                    "object_storage.storages.{}.addressing_style: '{}' is not one of auto, path, virtual", site,
                    c.addressing_style);
    }
    ep.virtual_host = c.addressing_style == "virtual";  // botocore: "auto" is path style for custom endpoints
    return ep;
  }
  // AWS (botocore picks the regional endpoint; dual-stack unless disabled).
  ep.scheme = "https";
  ep.host = fmt::format("s3.{}{}.amazonaws.com", c.use_dualstack_endpoint ? "dualstack." : "", c.region);
  ep.virtual_host = dns_compatible(c.bucket_name);
  return ep;
}

Result<int64_t> resolve_part_size(const std::string& site, const config::S3StorageConfig& c) {
  int64_t size = std::max(c.segment_size.value_or(kDefaultPartSize), c.min_multipart_chunk_size.value_or(0));
  if (size < kMinPartSize || size > 5 * 1024 * kMiB) {
    return errorf(ErrorCode::kInvalidArgument,
                  "object_storage.storages.{}.segment_size: {} is outside S3's part size range 5 MiB .. 5 GiB", site,
                  size);
  }
  return size;
}

}  // namespace

std::string Endpoint::origin() const {
  return port > 0 ? fmt::format("{}://{}:{}", scheme, host, port) : fmt::format("{}://{}", scheme, host);
}

std::string Endpoint::host_header(std::string_view bucket) const {
  std::string out = virtual_host ? fmt::format("{}.{}", bucket, host) : host;
  bool default_port = port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  if (!default_port) out += fmt::format(":{}", port);
  return out;
}

std::string Endpoint::path(std::string_view bucket, std::string_view key) const {
  std::string encoded = uri_encode(key, false);
  if (virtual_host) return "/" + encoded;
  return key.empty() ? fmt::format("/{}", bucket) : fmt::format("/{}/{}", bucket, encoded);
}

std::string normalize_prefix(std::string_view prefix) {
  while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
  if (prefix.empty()) return "";
  std::string out(prefix);
  if (out.back() != '/') out.push_back('/');
  return out;
}

std::string object_key(std::string_view prefix, std::string_view key) {
  std::string path = std::string(prefix) + std::string(key);
  std::string_view v = path;
  while (!v.empty() && v.front() == '/') v.remove_prefix(1);
  while (!v.empty() && v.back() == '/') v.remove_suffix(1);
  return std::string(v);
}

Result<S3Settings> resolve_settings(const std::string& site, const config::S3StorageConfig& c) {
  if (c.region.empty()) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}.region: required", site);
  }
  if (c.bucket_name.empty()) {
    return errorf(ErrorCode::kInvalidArgument, "object_storage.storages.{}.bucket_name: required", site);
  }
  S3Settings s;
  s.site = site;
  s.bucket = c.bucket_name;
  s.region = c.region;
  s.prefix = normalize_prefix(c.prefix);
  s.endpoint = ASTACUS_TRY(resolve_endpoint(site, c));
  s.credentials = ASTACUS_TRY(resolve_credentials(site, c));
  bool custom = c.host && c.port;
  s.verify_tls = custom ? c.is_verify_tls : true;
  s.ca_path = custom ? c.cert_path.value_or("") : "";
  s.proxy = c.proxy_info;
  if (s.proxy && s.proxy->type != "http" && s.proxy->type != "socks5") {
    return errorf(ErrorCode::kInvalidArgument,
                  "object_storage.storages.{}.proxy_info.type: '{}' is not one of http, socks5", site, s.proxy->type);
  }
  s.connect_timeout = ASTACUS_TRY(timeout_ms(site, "connect_timeout", c.connect_timeout, 10000));
  s.read_timeout = ASTACUS_TRY(timeout_ms(site, "read_timeout", c.read_timeout, 60000));
  s.part_size = ASTACUS_TRY(resolve_part_size(site, c));
  s.server_side_encryption = c.encrypted;
  s.user_agent = "astacus/0.1.0";
  if (c.user_agent_extra && !c.user_agent_extra->empty()) s.user_agent += " " + *c.user_agent_extra;
  return s;
}

}  // namespace astacus::storage::s3

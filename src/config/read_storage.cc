// Readers for `object_storage` and the rohmu storage models (read_config.h).
#include "config/read_config.h"

namespace astacus::config {

namespace {

Status read_local(ObjectReader& r, LocalStorageConfig& out) {
  ASTACUS_CHECK(r.required("directory", out.directory));
  ASTACUS_CHECK(r.optional("prefix", out.prefix));
  return r.finish();
}

Status read_s3(ObjectReader& r, S3StorageConfig& out) {
  ASTACUS_CHECK(r.required("region", out.region));
  ASTACUS_CHECK(r.optional("bucket_name", out.bucket_name));
  ASTACUS_CHECK(r.optional("aws_access_key_id", out.aws_access_key_id));
  ASTACUS_CHECK(r.optional("aws_secret_access_key", out.aws_secret_access_key));
  ASTACUS_CHECK(r.optional("aws_session_token", out.aws_session_token));
  ASTACUS_CHECK(r.optional("prefix", out.prefix));
  ASTACUS_CHECK(r.optional("host", out.host));
  ASTACUS_CHECK(r.optional("port", out.port));
  ASTACUS_CHECK(r.optional_choice("addressing_style", out.addressing_style, {"auto", "path", "virtual"}));
  ASTACUS_CHECK(r.optional("is_secure", out.is_secure));
  ASTACUS_CHECK(r.optional("is_verify_tls", out.is_verify_tls));
  ASTACUS_CHECK(r.optional("cert_path", out.cert_path));
  ASTACUS_CHECK(r.optional("segment_size", out.segment_size));
  ASTACUS_CHECK(r.optional("min_multipart_chunk_size", out.min_multipart_chunk_size));
  ASTACUS_CHECK(r.optional("encrypted", out.encrypted));
  ASTACUS_CHECK(r.optional("proxy_info", out.proxy_info));
  ASTACUS_CHECK(r.optional("connect_timeout", out.connect_timeout));
  ASTACUS_CHECK(r.optional("read_timeout", out.read_timeout));
  ASTACUS_CHECK(r.optional("use_dualstack_endpoint", out.use_dualstack_endpoint));
  ASTACUS_CHECK(r.optional("user_agent_extra", out.user_agent_extra));
  ASTACUS_CHECK(r.finish());
  if (out.cert_path && !out.is_verify_tls) {
    return path_error(r.path_of("cert_path"), "cert_path is set but is_verify_tls is false");
  }
  return ok();
}

Status read_azure(ObjectReader& r, AzureStorageConfig& out) {
  ASTACUS_CHECK(r.required("account_name", out.account_name));
  ASTACUS_CHECK(r.optional("bucket_name", out.bucket_name));
  ASTACUS_CHECK(r.optional("account_key", out.account_key));
  ASTACUS_CHECK(r.optional("sas_token", out.sas_token));
  ASTACUS_CHECK(r.optional("prefix", out.prefix));
  ASTACUS_CHECK(r.optional("is_secure", out.is_secure));
  ASTACUS_CHECK(r.optional("host", out.host));
  ASTACUS_CHECK(r.optional("port", out.port));
  ASTACUS_CHECK(r.optional_choice("azure_cloud", out.azure_cloud, {"public", "germany", "china"}));
  ASTACUS_CHECK(r.optional("proxy_info", out.proxy_info));
  ASTACUS_CHECK(r.finish());
  if (out.host.has_value() != out.port.has_value()) {
    return path_error(r.path_of(out.host ? "port" : "host"), "host and port must be set together");
  }
  return ok();
}

Status read_google(ObjectReader& r, GoogleStorageConfig& out) {
  ASTACUS_CHECK(r.required("project_id", out.project_id));
  ASTACUS_CHECK(r.optional("bucket_name", out.bucket_name));
  ASTACUS_CHECK(r.optional("credential_file", out.credential_file));
  ASTACUS_CHECK(r.optional("credentials", out.credentials));
  ASTACUS_CHECK(r.optional("prefix", out.prefix));
  ASTACUS_CHECK(r.optional("proxy_info", out.proxy_info));
  ASTACUS_CHECK(r.optional("endpoint", out.endpoint));  // Astacus-C++ extension
  return r.finish();
}

template <typename T>
Status read_storage(ObjectReader& r, StorageConfig& out, Status (*reader)(ObjectReader&, T&)) {
  T config{};
  ASTACUS_CHECK(reader(r, config));
  out = std::move(config);
  return ok();
}

}  // namespace

Status read_value(const Json& v, const std::string& path, StorageConfig& out) {
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  if (!r.has("storage_type")) return path_error(r.path_of("storage_type"), "required key missing");
  std::string type;
  ASTACUS_CHECK(r.required_choice("storage_type", type, {"local", "s3", "azure", "google"}));
  if (type == "local") return read_storage(r, out, read_local);
  if (type == "s3") return read_storage(r, out, read_s3);
  if (type == "azure") return read_storage(r, out, read_azure);
  return read_storage(r, out, read_google);
}

Status read_value(const Json& v, const std::string& path, ProxyInfo& out) {
  out = ProxyInfo{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required_choice("type", out.type, {"socks5", "http"}));
  ASTACUS_CHECK(r.required("host", out.host));
  ASTACUS_CHECK(r.required("port", out.port));
  ASTACUS_CHECK(r.optional("user", out.user));
  ASTACUS_CHECK(r.optional("pass", out.pass));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, EncryptionKey& out) {
  out = EncryptionKey{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required("public", out.public_pem));
  ASTACUS_CHECK(r.required("private", out.private_pem));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, CompressionConfig& out) {
  out = CompressionConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.optional_choice("algorithm", out.algorithm, {"lzma", "snappy", "zstd"}));
  ASTACUS_CHECK(r.optional("level", out.level));
  return r.finish();
}

Status read_value(const Json& v, const std::string& path, ObjectStorageConfig& out) {
  out = ObjectStorageConfig{};
  auto r = ASTACUS_TRY(ObjectReader::open(v, path));
  ASTACUS_CHECK(r.required("temporary_directory", out.temporary_directory));
  ASTACUS_CHECK(r.required("default_storage", out.default_storage));
  ASTACUS_CHECK(r.required("storages", out.storages));
  ASTACUS_CHECK(r.optional("encryption_key_id", out.encryption_key_id));
  ASTACUS_CHECK(r.optional("encryption_keys", out.encryption_keys));
  ASTACUS_CHECK(r.optional("compression", out.compression));
  ASTACUS_CHECK(r.optional_choice("encryption_format", out.encryption_format, {"pghoa1", "astdk1"}));
  ASTACUS_CHECK(r.optional("pack_small_blobs", out.pack_small_blobs));
  ASTACUS_CHECK(r.finish());
  if (!out.storages.contains(out.default_storage)) {
    return path_error(r.path_of("default_storage"),
                      fmt::format("\"{}\" is not a key of storages", out.default_storage));
  }
  if (out.encryption_key_id && !out.encryption_keys.contains(*out.encryption_key_id)) {
    return path_error(r.path_of("encryption_key_id"),
                      fmt::format("\"{}\" is not a key of encryption_keys", *out.encryption_key_id));
  }
  return ok();
}

}  // namespace astacus::config

#pragma once
// Configuration structs: the keys of Python Astacus (astacus/config.py, coordinator/config.py,
// node/config.py, common/rohmustorage.py and rohmu's storage models), with their defaults.
// One field = one key; the parser (parse.h) refuses unknown keys and wrong types, naming the
// dotted key path.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace astacus::config {

/// `uvicorn`: the HTTP server.
struct UvicornConfig {
  std::string host = "127.0.0.1";
  int port = 5515;
  std::string http = "h11";               // accepted for compatibility: auto|h11|httptools
  std::optional<std::string> log_level;   // critical|error|warning|info|debug|trace; unset = info
  bool reload = false;                    // accepted for compatibility, ignored
};

struct StatsdConfig {
  std::string host = "127.0.0.1";
  int port = 8125;
  std::string message_format = "telegraf";  // telegraf|datadog
  std::map<std::string, std::string> tags;
};

struct ProxyInfo {
  std::string type;  // socks5|http
  std::string host;
  int port = 0;
  std::optional<std::string> user;
  std::optional<std::string> pass;
};

/// storage_type: local
struct LocalStorageConfig {
  std::string directory;
  std::string prefix;
};

/// storage_type: s3
struct S3StorageConfig {
  std::string region;
  std::string bucket_name;
  std::optional<std::string> aws_access_key_id;
  std::optional<std::string> aws_secret_access_key;  // secret: redacted when printed
  std::optional<std::string> aws_session_token;      // secret
  std::string prefix;
  std::optional<std::string> host;
  std::optional<int> port;
  std::string addressing_style = "path";  // auto|path|virtual
  bool is_secure = false;
  bool is_verify_tls = false;
  std::optional<std::string> cert_path;
  std::optional<int64_t> segment_size;
  std::optional<int64_t> min_multipart_chunk_size;
  bool encrypted = false;
  std::optional<ProxyInfo> proxy_info;
  std::optional<double> connect_timeout;
  std::optional<double> read_timeout;
  bool use_dualstack_endpoint = true;
  std::optional<std::string> user_agent_extra;
};

/// storage_type: azure
struct AzureStorageConfig {
  std::string account_name;
  std::string bucket_name;
  std::optional<std::string> account_key;  // secret
  std::optional<std::string> sas_token;    // secret
  std::string prefix;
  bool is_secure = true;
  std::optional<std::string> host;
  std::optional<int> port;
  std::optional<std::string> azure_cloud;  // public|germany|china
  std::optional<ProxyInfo> proxy_info;
};

/// storage_type: google
struct GoogleStorageConfig {
  std::string project_id;
  std::string bucket_name;
  std::optional<std::string> credential_file;
  std::optional<nlohmann::json> credentials;  // secret: service-account JSON object
  std::string prefix;
  std::optional<ProxyInfo> proxy_info;
  // Astacus-C++ extension (not in rohmu): JSON API base URL, e.g. "http://127.0.0.1:4443";
  // unset = https://storage.googleapis.com.
  std::optional<std::string> endpoint;
};

using StorageConfig =
    std::variant<LocalStorageConfig, S3StorageConfig, AzureStorageConfig, GoogleStorageConfig>;

struct EncryptionKey {
  std::string public_pem;   // key "public"
  std::string private_pem;  // key "private" (secret)
};

struct CompressionConfig {
  std::optional<std::string> algorithm;  // lzma|snappy|zstd; unset = no compression
  int level = 0;                          // 0 = the codec's default (zstd 3, xz preset 0)
};

/// `object_storage`.
struct ObjectStorageConfig {
  std::string temporary_directory;
  std::string default_storage;
  std::map<std::string, StorageConfig> storages;
  std::optional<std::string> encryption_key_id;
  std::map<std::string, EncryptionKey> encryption_keys;
  CompressionConfig compression;
  // Astacus C++ extension: how new encrypted objects are written. "pghoa1" (default): rohmu's
  // RSA envelope, one RSA operation per object, readable by Python Astacus. "astdk1": one data
  // key per backup wrapped once (codec/data_key_envelope.h); restores do one RSA operation per
  // backup, but Python Astacus cannot read these objects. Both are always readable here.
  std::string encryption_format = "pghoa1";
  // Astacus C++ extension: store small blobs (up to 256 KiB) side by side in pack objects
  // ("astpk1", storage/pack/) instead of one object each. Backup and restore of many small
  // files create far fewer files (local) or requests (cloud); Python Astacus cannot read packed
  // blobs. Packs on a site are always readable here, whatever this says.
  bool pack_small_blobs = false;
};

struct RetentionConfig {
  std::optional<int64_t> minimum_backups;
  std::optional<int64_t> maximum_backups;
  std::optional<int64_t> keep_days;
};

struct PollConfig {
  double delay_start = 1;
  double delay_multiplier = 2;
  double delay_max = 60;
  double duration = 86400;
  int maximum_failures = 5;
  double result_timeout = 300;
};

struct CoordinatorNode {
  std::string url;  // e.g. http://127.0.0.1:5515/node
  std::string az;
};

/// `coordinator`.
struct CoordinatorConfig {
  std::string plugin;  // files|m3db|cassandra|clickhouse|flink
  nlohmann::json plugin_config = nlohmann::json::object();  // validated by the plugin
  std::vector<CoordinatorNode> nodes;
  RetentionConfig retention{.minimum_backups = 3, .maximum_backups = std::nullopt, .keep_days = 7};
  PollConfig poll;
  int64_t default_lock_ttl = 600;
  int backup_attempts = 5;
  int restore_attempts = 5;
  std::optional<std::string> object_storage_cache;
  std::optional<ObjectStorageConfig> object_storage;  // filled from the top level if unset
  std::optional<StatsdConfig> statsd;                 // likewise
  int64_t list_ttl = 3600;
};

/// `node.parallel`: worker threads per stage. Unset keys default to the machine's core count
/// (Python Astacus used 1).
struct ParallelConfig {
  int downloads = 1;
  int hashes = 1;
  int uploads = 1;
};

/// `node`.
struct NodeConfig {
  std::string root;  // must exist
  std::string az;
  std::optional<std::string> root_link;        // default <root>/.astacus
  std::optional<std::string> delta_root_link;  // default <root>/.astacus
  std::string db_path;                         // required
  std::optional<ObjectStorageConfig> object_storage;
  std::optional<StatsdConfig> statsd;
  ParallelConfig parallel;
  bool copy_root_owner = false;
  std::optional<nlohmann::json> cassandra;  // validated by the cassandra plugin
};

struct GlobalConfig {
  CoordinatorConfig coordinator;
  NodeConfig node;
  std::string sentry_dsn;
  UvicornConfig uvicorn;
  std::optional<ObjectStorageConfig> object_storage;
  std::optional<StatsdConfig> statsd;

  std::string source_path;  // the file it was loaded from ("" when parsed from text)
  std::string config_hash;  // sha256 hex of the file bytes as loaded
};

}  // namespace astacus::config

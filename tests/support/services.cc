#include "support/services.h"

#include <cstdlib>
#include <stdexcept>

namespace astacus::testing {

namespace fs = std::filesystem;

namespace {

std::string tool_binary(const std::string& name) {
  return std::string(ASTACUS_SOURCE_DIR) + "/.tools/node_modules/.bin/" + name;
}

std::string s3rver_binary() {
  const char* env = std::getenv("S3RVER_BIN");
  if (env && *env) return env;
  return tool_binary("s3rver");
}

std::string local_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

ChildOptions s3rver_options(const fs::path& dir, int port, const std::vector<std::string>& buckets,
                            const std::vector<std::string>& extra_args) {
  std::string binary = s3rver_binary();
  if (!fs::exists(binary)) {
    throw std::runtime_error("s3rver not found at " + binary + " (run scripts/install-deps.sh or set S3RVER_BIN)");
  }
  fs::create_directories(dir / "data");
  std::vector<std::string> argv = {binary, "--directory", (dir / "data").string(), "--port", std::to_string(port),
                                   "--address", "127.0.0.1", "--silent"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  for (const auto& b : buckets) {
    argv.push_back("--configure-bucket");
    argv.push_back(b);
  }
  // s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which Node 17+ (OpenSSL 3)
  // only offers through the legacy provider; without it every truncated listing is a 500.
  const char* node_options = std::getenv("NODE_OPTIONS");
  std::string options = std::string(node_options ? node_options : "") + " --openssl-legacy-provider";
  return {.name = "s3rver",
          .argv = std::move(argv),
          .log_file = dir / "s3rver.log",
          .env = {{"NODE_OPTIONS", options}},
          .ready = {.url = local_url(port) + "/"}};
}

ChildOptions azurite_options(const fs::path& dir, int port) {
  fs::create_directories(dir / "data");
  return {.name = "azurite-blob",
          .argv = {tool_binary("azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", std::to_string(port),
                   "--location", (dir / "data").string(), "--silent", "--skipApiVersionCheck"},
          .log_file = dir / "azurite.log",
          .own_process_group = true,
          // Any HTTP answer (even 400 for the bare account URL) means it is serving.
          .ready = {.url = local_url(port) + "/" + kAzuriteAccount + "?comp=list",
                    .accepts = [](const http::Response& r) { return r.status > 0; },
                    .timeout = std::chrono::seconds(30)}};
}

ChildOptions etcd_options(const fs::path& dir, int client_port, int peer_port) {
  std::string url = local_url(client_port), peer_url = local_url(peer_port);
  return {.name = "etcd",
          .argv = {"/usr/bin/etcd", "--name", "astacus-test", "--data-dir", (dir / "data").string(),
                   "--listen-client-urls", url, "--advertise-client-urls", url, "--listen-peer-urls", peer_url,
                   "--initial-advertise-peer-urls", peer_url, "--initial-cluster", "astacus-test=" + peer_url,
                   "--initial-cluster-state", "new", "--log-outputs", "stderr"},
          .log_file = dir / "etcd.log",
          .ready = {.url = url + "/health",
                    .accepts =
                        [](const http::Response& r) {
                          return r.status == 200 && r.body.find("\"true\"") != std::string::npos;
                        },
                    .timeout = std::chrono::seconds(30)}};
}

int free_port_other_than(int taken) {
  int port = free_port();
  while (port == taken) port = free_port();
  return port;
}

}  // namespace

S3rver::S3rver(const std::vector<std::string>& buckets, const std::vector<std::string>& extra_args)
    : port_(free_port()), process_(s3rver_options(dir_.path(), port_, buckets, extra_args)) {}

config::S3StorageConfig S3rver::site_config(const std::string& bucket, const std::string& prefix) const {
  config::S3StorageConfig c;
  c.region = "us-east-1";
  c.bucket_name = bucket;
  c.aws_access_key_id = "S3RVER";
  c.aws_secret_access_key = "S3RVER";
  c.prefix = prefix;
  c.host = "127.0.0.1";
  c.port = port_;
  return c;
}

nlohmann::json S3rver::storage_json(const std::string& bucket, const std::string& prefix) const {
  return {{"storage_type", "s3"},
          {"region", "us-east-1"},
          {"bucket_name", bucket},
          {"prefix", prefix},
          {"host", "127.0.0.1"},
          {"port", port_},
          {"aws_access_key_id", "S3RVER"},
          {"aws_secret_access_key", "S3RVER"}};
}

Azurite::Azurite() {
  std::string error;
  for (int attempt = 0; attempt < 3 && !process_; ++attempt) {
    port_ = free_port();
    try {
      process_.emplace(azurite_options(dir_.path(), port_));
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  }
  if (!process_) throw std::runtime_error("azurite-blob did not start: " + error);
}

std::string Azurite::endpoint() const { return local_url(port_) + "/" + kAzuriteAccount; }

config::AzureStorageConfig Azurite::storage_config(const std::string& container) const {
  config::AzureStorageConfig c;
  c.account_name = kAzuriteAccount;
  c.account_key = kAzuriteKey;
  c.bucket_name = container;
  c.host = "127.0.0.1";
  c.port = port_;
  c.is_secure = false;
  return c;
}

nlohmann::json Azurite::storage_json(const std::string& container) const {
  return {{"storage_type", "azure"},    {"account_name", kAzuriteAccount},
          {"account_key", kAzuriteKey}, {"bucket_name", container},
          {"host", "127.0.0.1"},        {"port", port_},
          {"is_secure", false}};
}

void Azurite::create_container(const std::string& container) const {
  auto backend = storage::make_azure_backend("setup", storage_config(container), fast_test_options());
  if (!backend) throw std::runtime_error(backend.error().to_string());
  auto created =
      (*backend)->client().call({"Create Container", "PUT", "", {{"restype", "container"}}, {}, {}});
  if (!created && created.error().message.find("ContainerAlreadyExists") == std::string::npos) {
    throw std::runtime_error("create container '" + container + "': " + created.error().to_string());
  }
}

storage::AzureBackendOptions fast_test_options() {
  storage::AzureBackendOptions o;
  o.retry.max_attempts = 3;
  o.retry.initial_backoff = std::chrono::milliseconds(50);
  o.retry.max_backoff = std::chrono::milliseconds(500);
  o.retry.deadline = std::chrono::milliseconds(20000);
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.read_timeout = std::chrono::seconds(10);
  return o;
}

EtcdServer::EtcdServer()
    : client_port_(free_port()),
      peer_port_(free_port_other_than(client_port_)),
      url_(local_url(client_port_)),
      process_(etcd_options(dir_.path(), client_port_, peer_port_)) {}

}  // namespace astacus::testing

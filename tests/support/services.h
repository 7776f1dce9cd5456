#pragma once
// The real third-party servers the integration tests run against, each on free 127.0.0.1
// ports with its data and log in a temp dir:
//   S3rver      npm s3rver (S3 emulator) under .tools/ or $S3RVER_BIN
//   Azurite     npm azurite-blob (Azure Blob emulator) under .tools/
//   EtcdServer  Debian's /usr/bin/etcd (3.4), single member
// Each is started (and waited on until it answers) by its constructor through ChildProcess
// (process.h); RAII: the destructor SIGKILLs and reaps it and removes the dir, also when a test
// fails. A start failure throws std::runtime_error carrying the server's log.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/types.h"
#include "storage/azure/azure_backend.h"
#include "support/cluster.h"
#include "support/process.h"

namespace astacus::testing {

/// s3rver accepts the access key S3RVER (any secret: it checks only the key id of V4 requests).
class S3rver {
 public:
  /// Starts s3rver with `buckets` configured; waits (up to 20 s) until it answers. Throws
  /// std::runtime_error (with its log) when it does not start. The binary is
  /// $S3RVER_BIN or <source>/.tools/node_modules/.bin/s3rver.
  /// `extra_args` go to s3rver as they are (e.g. {"--service-endpoint", "localhost"} for
  /// virtual-hosted requests to <bucket>.s3.localhost).
  explicit S3rver(const std::vector<std::string>& buckets, const std::vector<std::string>& extra_args = {});
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return process_.log(); }
  /// SIGKILL + reap (the port stops answering).
  void kill() { process_.kill(); }

  /// A site config pointing at this server: path style, S3RVER/S3RVER credentials.
  config::S3StorageConfig site_config(const std::string& bucket, const std::string& prefix = "") const;
  /// The same as astacus JSON config ("storage_type": "s3", ...).
  nlohmann::json storage_json(const std::string& bucket, const std::string& prefix = "") const;

 private:
  TempDir dir_;
  int port_ = 0;
  ChildProcess process_;
};

inline constexpr const char* kAzuriteAccount = "devstoreaccount1";
inline constexpr const char* kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Azurite runs in its own process group (node and anything it spawns are killed together) and
/// dies with the test process (PDEATHSIG).
class Azurite {
 public:
  /// Starts azurite-blob and waits (up to 30 s, up to 3 ports) until it answers HTTP; throws
  /// std::runtime_error otherwise.
  Azurite();
  Azurite(const Azurite&) = delete;
  Azurite& operator=(const Azurite&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port>/devstoreaccount1"
  std::string endpoint() const;
  /// An azure storage config for `container` with the well-known dev account key.
  config::AzureStorageConfig storage_config(const std::string& container) const;
  /// The same as astacus JSON config ("storage_type": "azure", ...).
  nlohmann::json storage_json(const std::string& container) const;
  /// Create Container (PUT ?restype=container) with the dev account; 201 or 409 are fine.
  void create_container(const std::string& container) const;
  std::string log() const { return process_->log(); }

 private:
  TempDir dir_;
  int port_ = 0;
  std::optional<ChildProcess> process_;
};

/// Default Azure test tuning: short deadlines so failures are quick.
storage::AzureBackendOptions fast_test_options();

/// Its JSON gateway is at url() + "/v3" and "/v3beta".
class EtcdServer {
 public:
  /// Starts etcd; throws std::runtime_error (with etcd's log) if it is not healthy in 30 s.
  EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  /// "http://127.0.0.1:<client port>".
  const std::string& url() const { return url_; }
  /// The v3 JSON gateway base the plugin config takes: url() + "/v3beta".
  std::string gateway_url() const { return url_ + "/v3beta"; }
  int client_port() const { return client_port_; }
  /// SIGKILL + reap (etcd "down"); the data dir stays until destruction.
  void kill() { process_.kill(); }
  bool running() const { return process_.running(); }
  std::string log() const { return process_.log(); }

 private:
  TempDir dir_;
  int client_port_ = 0;
  int peer_port_ = 0;
  std::string url_;
  ChildProcess process_;
};

}  // namespace astacus::testing

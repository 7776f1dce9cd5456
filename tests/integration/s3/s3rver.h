#pragma once
// A real s3rver (npm s3rver, the S3 emulator under .tools/) on a free 127.0.0.1 port, serving a
// temp directory, for integration and system tests. RAII: the destructor kills and reaps the
// process and removes its directory, also when a test fails.
// s3rver accepts the access key S3RVER (any secret: it checks only the key id of V4 requests).

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/types.h"

namespace astacus::testing {

class S3rver {
 public:
  /// Starts s3rver with `buckets` configured; waits (up to 20 s) until it answers. Throws
  /// std::runtime_error (with its log) when it does not start. The binary is
  /// $S3RVER_BIN or <source>/.tools/node_modules/.bin/s3rver.
  /// `extra_args` go to s3rver as they are (e.g. {"--service-endpoint", "localhost"} for
  /// virtual-hosted requests to <bucket>.s3.localhost).
  explicit S3rver(const std::vector<std::string>& buckets, const std::vector<std::string>& extra_args = {});
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const;
  /// SIGKILL + reap (the port stops answering).
  void kill();

  /// A site config pointing at this server: path style, S3RVER/S3RVER credentials.
  config::S3StorageConfig site_config(const std::string& bucket, const std::string& prefix = "") const;

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace astacus::testing

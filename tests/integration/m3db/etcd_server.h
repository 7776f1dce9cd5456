#pragma once
// A real single-member etcd (Debian's /usr/bin/etcd, 3.4) for tests: free 127.0.0.1 ports for
// the client and peer URLs, a temp data dir, started by the constructor and waited on until
// /health answers; the destructor kills it, reaps it and removes the data dir, also when a test
// fails. Its JSON gateway is at url() + "/v3" and "/v3beta".

#include <sys/types.h>

#include <memory>
#include <string>

#include "support/cluster.h"

namespace astacus::testing {

class EtcdServer {
 public:
  /// Starts etcd; throws std::runtime_error (with etcd's log) if it is not healthy in 30 s.
  EtcdServer();
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  /// "http://127.0.0.1:<client port>".
  const std::string& url() const { return url_; }
  /// The v3 JSON gateway base the plugin config takes: url() + "/v3beta".
  std::string gateway_url() const { return url_ + "/v3beta"; }
  int client_port() const { return client_port_; }
  /// SIGKILL + reap (etcd "down"); the data dir stays until destruction.
  void kill();
  bool running() const { return pid_ > 0; }
  std::string log() const;

 private:
  void wait_healthy();

  TempDir dir_;
  int client_port_ = 0;
  int peer_port_ = 0;
  std::string url_;
  pid_t pid_ = -1;
};

}  // namespace astacus::testing

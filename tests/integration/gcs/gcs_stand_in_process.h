#pragma once
// The gcs_stand_in executable (stand_in/) as a test fixture: started on a free 127.0.0.1 port
// with a test service account, RAII-stopped (SIGKILL + reap, and PDEATHSIG) even when a test
// fails, with helpers for site configs, credentials, the fault knob and the stats.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/rsa_envelope.h"
#include "config/types.h"
#include "support/cluster.h"

namespace astacus::testing {

inline constexpr const char* kStandInEmail = "astacus-backup@astacus-test.iam.gserviceaccount.com";

/// The test service account's RSA-2048 key pair, generated once per test process.
const codec::RsaKeyPem& stand_in_account_key();

struct GcsStandInOptions {
  std::vector<std::string> buckets;
  std::string public_pem;  // the key the token endpoint trusts; "" = stand_in_account_key()
  int page_size = 2;       // objects.list default maxResults
  int64_t token_ttl = 3600;
};

class GcsStandIn {
 public:
  /// Starts the stand-in and waits (up to 20 s) until it answers; throws std::runtime_error
  /// (with its log) otherwise.
  explicit GcsStandIn(GcsStandInOptions options);
  ~GcsStandIn();
  GcsStandIn(const GcsStandIn&) = delete;
  GcsStandIn& operator=(const GcsStandIn&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string token_uri() const { return endpoint() + "/token"; }

  /// A service-account key JSON for the test account with token_uri = this stand-in.
  nlohmann::json credentials() const;
  /// A google site config pointing at this stand-in.
  config::GoogleStorageConfig site_config(const std::string& bucket, const std::string& prefix = "") const;
  /// The same in astacus config JSON.
  nlohmann::json storage_json(const std::string& bucket, const std::string& prefix = "") const;

  /// Arms the fault knob: skip `skip` chunk PUTs, then cut `drops` of them (< 0: all) after
  /// `after` body bytes.
  void drop_uploads(uint64_t after, int drops, int skip = 0) const;
  /// Counters: tokens_issued, tokens_refused, unauthorized, sessions, chunks, open_ended_chunks
  /// (Content-Range total "*"), status_queries, drops, cancelled (sessions), open_sessions
  /// (neither finished nor cancelled), media_gets, ranged_gets, precondition_failures, objects.
  nlohmann::json stats() const;
  std::string log() const;
  /// SIGKILL + reap.
  void kill();

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace astacus::testing

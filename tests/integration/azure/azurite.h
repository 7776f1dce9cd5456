#pragma once
// A real Azurite blob emulator for tests: started on a free 127.0.0.1 port with its data in a
// temp dir. RAII: the destructor kills it (SIGKILL to its process group), reaps it and removes
// the dir, so a failing test never leaks it; it also dies with the test process (PDEATHSIG).

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "config/types.h"
#include "storage/azure/azure_backend.h"
#include "support/cluster.h"

namespace astacus::testing {

inline constexpr const char* kAzuriteAccount = "devstoreaccount1";
inline constexpr const char* kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

class Azurite {
 public:
  /// Starts azurite-blob and waits until it answers HTTP; throws std::runtime_error otherwise.
  Azurite();
  ~Azurite();
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
  std::string log() const;

 private:
  bool start_on(int port);
  void stop();

  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

/// Default test tuning: short deadlines so failures are quick.
storage::AzureBackendOptions fast_test_options();

}  // namespace astacus::testing

#pragma once
// The service account of a site: read from `credentials` (a JSON object in the config) or
// `credential_file` (a path to the JSON key file Google hands out). Only type
// "service_account" is supported; errors name the config key at fault.
// Pure apart from reading the file; thread-safe.

#include <string>

#include "base/result.h"
#include "config/types.h"

namespace astacus::storage::gcs {

inline constexpr const char* kDefaultTokenUri = "https://oauth2.googleapis.com/token";

struct ServiceAccount {
  std::string client_email;
  std::string private_key;     // PEM
  std::string private_key_id;  // "" when absent; sent as the JWT "kid"
  std::string token_uri;       // kDefaultTokenUri when absent
};

/// `credential_file` wins when both are set (as in rohmu). InvalidArgument naming
/// object_storage.storages.<site>.credentials / credential_file and the missing field
/// (client_email, private_key) when absent or unusable; neither set is an error too
/// (application default credentials are not supported).
Result<ServiceAccount> load_service_account(const std::string& site, const config::GoogleStorageConfig& config);

}  // namespace astacus::storage::gcs

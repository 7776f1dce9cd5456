#pragma once
// Printing a loaded configuration without its secrets (for logs and debug endpoints).

#include <nlohmann/json.hpp>

#include "config/types.h"

namespace astacus::config {

inline constexpr const char* kRedacted = "<redacted>";

/// The config in its file shape (same keys; unset optionals as null; shared sections as
/// propagated) with every set secret replaced by "<redacted>": aws_secret_access_key,
/// aws_session_token, account_key, sas_token, google credentials, encryption private keys,
/// sentry_dsn, proxy pass, and inside the untyped plugin_config / node.cassandra any key
/// named like a secret (password, pass, secret, token, private_key, credentials ...).
/// source_path and config_hash are not included.
nlohmann::json to_redacted_json(const GlobalConfig& config);

}  // namespace astacus::config

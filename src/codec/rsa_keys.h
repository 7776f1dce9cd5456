#pragma once
// Internal: PEM → EVP_PKEY parsing with a process-wide cache keyed by the PEM text.

#include <openssl/evp.h>

#include <memory>
#include <string_view>

#include "base/result.h"

namespace astacus::codec {

using PKeyPtr = std::shared_ptr<EVP_PKEY>;

/// SPKI public RSA key. InvalidArgument when not parseable or not RSA. Thread-safe.
Result<PKeyPtr> load_public_key(std::string_view pem);
/// PKCS#8 or PKCS#1 unencrypted private RSA key (never prompts for a passphrase). Thread-safe.
Result<PKeyPtr> load_private_key(std::string_view pem);

}  // namespace astacus::codec

#pragma once
// storage_type: google — see README.md in this folder.

#include <memory>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "storage/backend.h"

namespace astacus::storage {

/// Builds the backend of site `site`; errors name the site and the config key at fault.
Result<std::unique_ptr<Backend>> make_gcs_backend(const std::string& site,
                                                  const config::GoogleStorageConfig& config);

}  // namespace astacus::storage

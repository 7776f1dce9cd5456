#pragma once
// Builds the raw Backend of one site from its config. One std::visit over the closed
// StorageConfig variant: a new storage type without a factory does not compile.

#include <memory>
#include <string>

#include "base/result.h"
#include "config/types.h"
#include "storage/backend.h"

namespace astacus::storage {

Result<std::unique_ptr<Backend>> make_backend(const std::string& site,
                                              const config::StorageConfig& config);

}  // namespace astacus::storage

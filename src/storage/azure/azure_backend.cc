#include "storage/azure/azure_backend.h"

namespace astacus::storage {

Result<std::unique_ptr<Backend>> make_azure_backend(const std::string& site,
                                                  const config::AzureStorageConfig& /*config*/) {
  return errorf(ErrorCode::kInvalidArgument,
                "storage_type 'azure' (site '{}') is not supported yet", site);
}

}  // namespace astacus::storage

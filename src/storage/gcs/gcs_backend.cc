#include "storage/gcs/gcs_backend.h"

namespace astacus::storage {

Result<std::unique_ptr<Backend>> make_gcs_backend(const std::string& site,
                                                  const config::GoogleStorageConfig& /*config*/) {
  return errorf(ErrorCode::kInvalidArgument,
                "storage_type 'google' (site '{}') is not supported yet", site);
}

}  // namespace astacus::storage

#include "storage/s3/s3_backend.h"

namespace astacus::storage {

Result<std::unique_ptr<Backend>> make_s3_backend(const std::string& site,
                                                  const config::S3StorageConfig& /*config*/) {
  return errorf(ErrorCode::kInvalidArgument,
                "storage_type 's3' (site '{}') is not supported yet", site);
}

}  // namespace astacus::storage

#include "storage/backend_factory.h"

#include <type_traits>

#include "storage/azure/azure_backend.h"
#include "storage/gcs/gcs_backend.h"
#include "storage/local/local_backend.h"
#include "storage/s3/s3_backend.h"

namespace astacus::storage {

Result<std::unique_ptr<Backend>> make_backend(const std::string& site,
                                              const config::StorageConfig& config) {
  return std::visit(
      [&](const auto& c) -> Result<std::unique_ptr<Backend>> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, config::LocalStorageConfig>) {
          if (c.directory.empty()) {
            return errorf(ErrorCode::kInvalidArgument,
                          "object_storage.storages.{}.directory: required", site);
          }
          return std::make_unique<LocalBackend>(c.directory, c.prefix);
        } else if constexpr (std::is_same_v<T, config::S3StorageConfig>) {
          return make_s3_backend(site, c);
        } else if constexpr (std::is_same_v<T, config::AzureStorageConfig>) {
          return make_azure_backend(site, c);
        } else if constexpr (std::is_same_v<T, config::GoogleStorageConfig>) {
          return make_gcs_backend(site, c);
        } else {
          static_assert(sizeof(T) == 0, "storage type without a backend factory");
        }
      },
      config);
}

}  // namespace astacus::storage

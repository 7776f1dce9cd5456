#include "storage/backend.h"

namespace astacus::storage {

std::string metadata_value(const Metadata& md, std::string_view key) {
  for (const auto& [k, v] : md) {
    if (k == key) return v;
  }
  return "";
}

}  // namespace astacus::storage

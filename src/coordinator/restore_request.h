#pragma once
// POST /restore and POST /cleanup bodies (spec §2.2), validated into 422 items.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/types.h"
#include "coordinator/step.h"

namespace astacus::coordinator {

using ValidationItems = std::vector<nlohmann::ordered_json>;

ValidationItems parse_restore_request(const nlohmann::json& body, RestoreRequest& out);

struct CleanupRequest {
  std::string storage;  // "" = default storage (Python ignored this key)
  std::optional<config::RetentionConfig> retention;
  std::vector<std::string> explicit_delete;
};
ValidationItems parse_cleanup_request(const nlohmann::json& body, CleanupRequest& out);

}  // namespace astacus::coordinator

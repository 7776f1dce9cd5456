#pragma once
// Hex and base64 (standard alphabet, padded) as used in manifests and etcd dumps.

#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus {

std::string to_hex(std::string_view bytes);
Result<std::string> from_hex(std::string_view hex);
std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace astacus

#pragma once
// CRC-32C (Castagnoli), as used by the Snappy framing format.

#include <cstdint>
#include <string_view>

namespace astacus::codec {

/// Plain CRC-32C of `data` (crc32c("123456789") == 0xe3069283).
uint32_t crc32c(std::string_view data);

/// The Snappy framing "masked" checksum: rotate right by 15, then add 0xa282ead8.
uint32_t snappy_masked_crc32c(std::string_view data);

}  // namespace astacus::codec

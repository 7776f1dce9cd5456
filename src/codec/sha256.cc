#include "codec/sha256.h"

#include <openssl/evp.h>

#include "base/encoding.h"

namespace astacus::codec {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

}  // namespace astacus::codec

#include "codec/openssl_util.h"

#include <fmt/format.h>
#include <openssl/err.h>

namespace astacus::codec {

std::string openssl_error(std::string_view what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(what);
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return fmt::format("{}: {}", what, buf);
}

}  // namespace astacus::codec

#pragma once
// Internal helpers for the OpenSSL-based codecs: error text from the OpenSSL error queue.

#include <string>
#include <string_view>

namespace astacus::codec {

/// "<what>: <first OpenSSL error>" and clears the thread's OpenSSL error queue.
std::string openssl_error(std::string_view what);

}  // namespace astacus::codec

#pragma once
// libcurl's global init is not thread-safe: every backend that uses curl calls this first.

namespace astacus::storage {

/// Runs curl_global_init exactly once per process, whoever calls first.
void ensure_curl_global_init();

}  // namespace astacus::storage

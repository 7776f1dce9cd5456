#include "storage/curl_global.h"
#include "storage/s3/curl_pool.h"

namespace astacus::storage::s3 {

CurlPool::Lease::~Lease() {
  if (handle_) pool_->release(handle_);
}

CurlPool::CurlPool(size_t max_idle) : max_idle_(max_idle) {
  ensure_curl_global_init();
}

CurlPool::~CurlPool() {
  for (CURL* h : idle_) curl_easy_cleanup(h);
}

CurlPool::Lease CurlPool::acquire() {
  CURL* handle = nullptr;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      handle = idle_.back();
      idle_.pop_back();
    }
  }
  if (handle) {
    curl_easy_reset(handle);  // options only: live connections and caches stay
  } else {
    handle = curl_easy_init();
  }
  return Lease(this, handle);
}

void CurlPool::release(CURL* handle) {
  {
    std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(handle);
}

}  // namespace astacus::storage::s3

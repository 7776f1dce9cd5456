#pragma once
// A small pool of idle libcurl easy handles. A handle keeps its connections (keep-alive, TLS
// sessions) between requests, so reusing handles reuses connections. Callers lease a handle for
// one request; up to `max_idle` handles are kept when returned, the rest are closed.
// Thread safety: acquire() and Lease destruction may run on any thread; a leased handle is used
// by one thread at a time.

#include <curl/curl.h>

#include <cstddef>
#include <mutex>
#include <vector>

namespace astacus::storage::s3 {

class CurlPool {
 public:
  class Lease {
   public:
    Lease(CurlPool* pool, CURL* handle) : pool_(pool), handle_(handle) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), handle_(other.handle_) { other.handle_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    /// nullptr when libcurl could not create a handle (out of memory).
    CURL* get() const { return handle_; }

   private:
    CurlPool* pool_;
    CURL* handle_;
  };

  explicit CurlPool(size_t max_idle);
  ~CurlPool();
  CurlPool(const CurlPool&) = delete;
  CurlPool& operator=(const CurlPool&) = delete;

  /// An idle handle, or a new one. The handle's options are reset; its connections are kept.
  Lease acquire();

 private:
  void release(CURL* handle);

  std::mutex mu_;
  std::vector<CURL*> idle_;
  size_t max_idle_;
};

}  // namespace astacus::storage::s3

#pragma once
// Accounting of what an op costs on each storage site: requests by kind and bytes moved.
// `CountingBackend` is a Backend decorator that counts every call made through it (one logical
// call = one request here, even where a backend splits it, e.g. S3 multipart);
// `TrafficTally` sums the traffic of one op across sites and nodes.
// Thread safety: CountingBackend and TrafficTally may be used from many threads.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "storage/backend.h"

namespace astacus::storage {

/// Requests and bytes on one site. GET counts reads and existence checks (HEAD).
struct Traffic {
  int64_t put_requests = 0;
  int64_t get_requests = 0;
  int64_t list_requests = 0;
  int64_t delete_requests = 0;
  int64_t bytes_uploaded = 0;    // stored (encoded) bytes sent
  int64_t bytes_downloaded = 0;  // stored (encoded) bytes received

  Traffic& operator+=(const Traffic& other);
  Traffic operator-(const Traffic& before) const;
  bool empty() const;
  friend bool operator==(const Traffic&, const Traffic&) = default;
};

void to_json(nlohmann::json& j, const Traffic& t);
void to_json(nlohmann::ordered_json& j, const Traffic& t);
/// Reads the object to_json writes; absent or non-integer fields count 0.
Traffic traffic_from_json(const nlohmann::json& j);

class CountingBackend final : public Backend {
 public:
  explicit CountingBackend(std::unique_ptr<Backend> inner);

  Status put(const std::string& key, std::string_view data, const Metadata& metadata) override;
  Status put_batched(const std::string& key, std::string_view data, const Metadata& metadata) override;
  Status flush() override { return inner_->flush(); }
  /// One PUT when the object is committed; its bytes are counted as they are written.
  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key, const Metadata& metadata,
                                                    bool batched) override;
  /// One GET; bytes counted as they are read.
  Result<std::unique_ptr<ObjectReader>> open_reader(const std::string& key) override;
  Result<StoredObject> get(const std::string& key) override;
  Result<std::string> get_range(const std::string& key, uint64_t offset, uint64_t length) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  Result<std::vector<std::string>> list(const std::string& dir) override;
  Status list_each(const std::string& dir, const std::function<void(std::string_view)>& on_name) override;
  Result<size_t> remove_stale_temps(std::chrono::seconds older_than) override {
    return inner_->remove_stale_temps(older_than);
  }
  std::string describe() const override { return inner_->describe(); }

  /// Everything counted since construction.
  Traffic traffic() const;

 private:
  class CountingWriter;
  class CountingReader;
  std::unique_ptr<Backend> inner_;
  std::atomic<int64_t> puts_{0}, gets_{0}, lists_{0}, deletes_{0}, up_{0}, down_{0};
};

/// Per-site sums for one op: {"<site>": Traffic, ...}.
class TrafficTally {
 public:
  void add(const std::string& site, const Traffic& traffic);
  /// Adds a {"<site>": Traffic} object (as a node reports it); non-objects are ignored.
  void add_json(const nlohmann::json& per_site);
  std::map<std::string, Traffic> sites() const;
  nlohmann::ordered_json to_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Traffic> sites_;
};

}  // namespace astacus::storage

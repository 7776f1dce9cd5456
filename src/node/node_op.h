#pragma once
// One running node op as its status URL shows it: progress plus op-specific result fields.
// Shared between the HTTP handler thread and the worker; thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/types.h"

namespace astacus::node {

class NodeOp {
 public:
  NodeOp(int64_t id, std::string name, std::optional<std::string> result_url);

  int64_t id() const { return id_; }
  const std::string& name() const { return name_; }
  const std::optional<std::string>& result_url() const { return result_url_; }

  void add_total(int64_t n);
  void add_handled(int64_t n);
  void add_failed(int64_t n);
  /// Marks progress final (on failure also counts one more failure if nothing failed yet).
  void finish(bool success);
  manifest::Progress progress() const;

  /// Replaces the op-specific part of the result (fields other than hostname/az/progress).
  void set_fields(nlohmann::ordered_json fields);
  /// Sets (or replaces) one op-specific result field.
  void set_field(const std::string& name, nlohmann::ordered_json value);
  /// Full result object: {"hostname","az","progress", ...fields}.
  nlohmann::ordered_json result(const std::string& hostname, const std::string& az) const;

 private:
  const int64_t id_;
  const std::string name_;
  const std::optional<std::string> result_url_;
  mutable std::mutex mutex_;
  manifest::Progress progress_;
  nlohmann::ordered_json fields_ = nlohmann::ordered_json::object();
};

}  // namespace astacus::node

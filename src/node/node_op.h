#pragma once
// One running node op as its status URL shows it: progress plus op-specific result fields.
// Shared between the HTTP handler thread and the worker; thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "codec/compressed_text.h"
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
  /// Sets op-specific members given as JSON text without braces (`"a":1,"b":[...]`), kept
  /// compressed: a snapshot's file list and hashes are ~300 bytes per file as text (~1 KB as
  /// nlohmann JSON), held until the next op. They come first in the result, before the
  /// set_field fields.
  void set_members(codec::CompressedText members);
  /// A failed op's result: drops the members text and adds "error"; set_field fields stay.
  void set_error(const std::string& message);
  /// The result without its members as compact JSON: {fields..., "hostname", "az", "progress"}
  /// (the result_url callback: its body is ignored by coordinators, so it need not carry a
  /// snapshot's file list again).
  std::string bare_result_text(const std::string& hostname, const std::string& az) const;
  /// The full result {members..., fields..., "hostname", "az", "progress"} as `head` + *members
  /// (when set) + `tail`, the members shared, not copied: a status reply decompresses them as it
  /// sends them.
  struct ResultPieces {
    std::string head;
    std::shared_ptr<const codec::CompressedText> members;
    std::string tail;
  };
  ResultPieces result_pieces(const std::string& hostname, const std::string& az,
                             bool with_members = true) const;

 private:
  const int64_t id_;
  const std::string name_;
  const std::optional<std::string> result_url_;
  mutable std::mutex mutex_;
  manifest::Progress progress_;
  nlohmann::ordered_json fields_ = nlohmann::ordered_json::object();
  std::shared_ptr<const codec::CompressedText> members_;  // shared: read outside the lock
};

}  // namespace astacus::node

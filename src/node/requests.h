#pragma once
// Node request bodies (spec §2.3) and their validation. Problems come back as pydantic-v1
// style items ({"loc":["body",...],"msg","type"}) so the HTTP layer can answer 422.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/types.h"
#include "snapshot/glob.h"

namespace astacus::node {

using ValidationItems = std::vector<nlohmann::ordered_json>;

struct SnapshotRequest {
  std::vector<snapshot::SnapshotGroup> groups;
  std::optional<std::string> result_url;
  /// Our extension: the site the coming upload goes to. When it packs small blobs, the node
  /// stores new small blobs there while it reads them (node/eager_blobs.h).
  std::optional<std::string> store_small_blobs_to;
};

struct UploadRequest {
  std::vector<manifest::SnapshotHash> hashes;
  std::string storage;
  bool validate_file_hashes = true;
  std::optional<std::string> result_url;
};

struct ReleaseRequest {
  std::vector<std::string> hexdigests;
  std::optional<std::string> result_url;
};

struct DownloadRequest {
  std::string storage;
  std::string backup_name;
  int64_t snapshot_index = 0;
  std::vector<std::string> root_globs;
  std::optional<std::string> result_url;
};

struct ClearRequest {
  std::vector<std::string> root_globs;
  std::optional<std::string> result_url;
};

// Each parser fills `out` and returns the validation problems (empty = valid).
ValidationItems parse_request(const nlohmann::json& body, SnapshotRequest& out);
ValidationItems parse_request(const nlohmann::json& body, UploadRequest& out);

/// Converts the elements of an upload body's top-level "hashes" array while it is parsed and
/// drops them from the DOM (a million-blob request as a DOM is ~1 KB per blob). Pass
/// callback() to the parser, parse_request() the (hash-less) DOM, then finish().
class UploadHashCollector {
 public:
  nlohmann::json::parser_callback_t callback();
  /// Puts the collected hashes into `out` and their validation problems in front of `items`.
  void finish(UploadRequest& out, ValidationItems& items);

 private:
  bool in_hashes_key_ = false;  // the current top-level key is "hashes"
  bool in_hashes_ = false;      // inside that array
  size_t index_ = 0;
  std::vector<manifest::SnapshotHash> hashes_;
  ValidationItems problems_;
};
ValidationItems parse_request(const nlohmann::json& body, ReleaseRequest& out);
ValidationItems parse_request(const nlohmann::json& body, DownloadRequest& out);
ValidationItems parse_request(const nlohmann::json& body, ClearRequest& out);

/// Groups with default options for plain root globs (download/clear re-snapshots).
std::vector<snapshot::SnapshotGroup> groups_from_globs(const std::vector<std::string>& globs);

}  // namespace astacus::node

#pragma once
// The stand-in's buckets, objects and resumable-upload sessions, in memory. Objects appear only
// when the last byte of their upload arrives. Chunks must start where the session ends, must
// match their Content-Range, and must be multiples of 256 KiB unless they are the last one; the
// total may stay unknown ("bytes A-B/*") until the last chunk. A cancelled session is forgotten.
// Thread-safe (one mutex).

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace astacus::gcs_stand_in {

using Json = nlohmann::ordered_json;

inline constexpr uint64_t kChunkQuantum = 256 * 1024;

struct Object {
  std::string data;
  Json metadata;  // the user "metadata" map, or null
  int64_t generation = 0;
  std::string updated;  // RFC 3339
};

/// A parsed Content-Range of an upload PUT: "bytes A-B/T", "bytes A-B/*" or "bytes */T".
struct ContentRange {
  bool status_query = false;  // "bytes */T": no data, what do you have?
  uint64_t first = 0;
  uint64_t last = 0;
  std::optional<uint64_t> total;
};
std::optional<ContentRange> parse_content_range(std::string_view header);

/// What an upload PUT gets back: 200 + the object resource, 308 (+ Range when persisted > 0),
/// or an error status with a message.
struct UploadAnswer {
  int status = 0;
  uint64_t persisted = 0;
  Json resource;        // set with status 200
  std::string message;  // set with error statuses
};

class Store {
 public:
  explicit Store(const std::vector<std::string>& buckets);

  bool has_bucket(const std::string& bucket) const;
  std::optional<Object> get(const std::string& bucket, const std::string& name) const;
  bool remove(const std::string& bucket, const std::string& name);
  /// One objects.list page: entries (objects and, with a delimiter, collapsed prefixes) in name
  /// order after `page_token`; nextPageToken when more remain.
  Json list(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
            const std::string& page_token, size_t max_results) const;

  /// Opens a session; returns its id.
  std::string start_upload(const std::string& bucket, const std::string& name, Json metadata,
                           std::optional<uint64_t> total);
  /// A chunk or a status query for session `id`.
  UploadAnswer put(const std::string& id, const ContentRange& range, std::string_view bytes);
  /// A chunk cut short by a dropped connection: keeps the whole 256 KiB blocks of `received` when
  /// the chunk started where the session ends (as GCS keeps what it persisted).
  void keep_partial(const std::string& id, const ContentRange& range, std::string_view received);
  /// Cancels (forgets) an unfinished session, as a DELETE of its URI does on GCS: later requests
  /// to it get 404. False when there is no such unfinished session.
  bool cancel_upload(const std::string& id);

  size_t object_count() const;
  /// Sessions neither finished nor cancelled.
  size_t open_session_count() const;

 private:
  struct Session {
    std::string bucket;
    std::string name;
    Json metadata;
    std::optional<uint64_t> total;
    std::string data;
    bool done = false;
    Json resource;  // of the object once done
  };

  UploadAnswer append(Session& session, const ContentRange& range, std::string_view bytes);
  Json finish(Session& session);

  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Object>> buckets_;
  std::map<std::string, Session> sessions_;
  int64_t next_generation_ = 1700000000000001;
};

/// The JSON API object resource of `name` in `bucket`.
Json object_resource(const std::string& bucket, const std::string& name, const Object& object);

}  // namespace astacus::gcs_stand_in

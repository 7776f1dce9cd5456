#pragma once
// The GCS stand-in's HTTP side (cpp-httplib): the OAuth token endpoint (POST /token), the JSON API
// routes the backend uses (objects get/media/delete/list, resumable uploads), and two control
// routes for tests: GET /_standin/stats and POST /_standin/faults (drop upload connections).
// Every storage route wants "Authorization: Bearer <token from /token>" (else 401, Google's
// JSON error shape). Thread-safe.
// As GCS does: objects.get takes ifGenerationMatch (412 conditionNotMet when the object has
// another generation); media GETs take one "Range: bytes=A-B" / "bytes=A-" / "bytes=-N" (206 +
// Content-Range, 416 when it starts past the end; several ranges get the whole object); a DELETE
// of a session URI cancels an unfinished upload (499, then 404 for the session).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

#include "store.h"

namespace astacus::gcs_stand_in {

struct ServerOptions {
  std::string public_pem;    // the service account's key
  std::string client_email;  // the service account
  std::vector<std::string> buckets;
  size_t default_page_size = 2;  // objects.list maxResults when the request has none
  int64_t token_ttl = 3600;      // expires_in of issued tokens (seconds)
};

/// Connection drops for chunk PUTs: skip `skip` chunks, then cut the next `drops` ones (< 0: all)
/// after `after` body bytes. `after` >= the chunk size lets the chunk through and drops the answer.
struct DropFault {
  uint64_t after = 0;
  int drops = 0;
  int skip = 0;
};

class StandInServer {
 public:
  explicit StandInServer(ServerOptions options);

  /// Binds 127.0.0.1:`port` (0 = any free port); returns the port or -1.
  int bind(int port);
  /// Serves until the process ends.
  void listen();

 private:
  void routes();
  bool authorized(const httplib::Request& req, httplib::Response& res);
  void token(const httplib::Request& req, httplib::Response& res);
  void get_object(const httplib::Request& req, httplib::Response& res);
  void delete_object(const httplib::Request& req, httplib::Response& res);
  void list_objects(const httplib::Request& req, httplib::Response& res);
  void start_upload(const httplib::Request& req, httplib::Response& res);
  void put_upload(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void cancel_upload(const httplib::Request& req, httplib::Response& res);
  void serve_media(const Object& object, std::optional<std::pair<ssize_t, ssize_t>> range, httplib::Response& res);
  std::optional<uint64_t> take_drop();
  void faults(const httplib::Request& req, httplib::Response& res);
  void stats(httplib::Response& res);

  ServerOptions options_;
  Store store_;
  httplib::Server http_;
  std::mutex mutex_;  // tokens_ and fault_
  std::map<std::string, int64_t> tokens_;  // access token -> expiry (unix milliseconds)
  DropFault fault_;
  std::atomic<int> tokens_issued_{0}, tokens_refused_{0}, unauthorized_{0}, sessions_{0}, chunks_{0},
      open_ended_chunks_{0}, status_queries_{0}, drops_{0}, cancelled_{0}, media_gets_{0}, ranged_gets_{0},
      precondition_failures_{0};
};

}  // namespace astacus::gcs_stand_in

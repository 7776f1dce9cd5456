// Routes of the GCS stand-in: token endpoint, JSON API subset, resumable uploads, test controls.
#include "server.h"

#include <algorithm>
#include <cstdint>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "token_check.h"

namespace astacus::gcs_stand_in {

namespace {

constexpr const char* kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr const char* kBucketPath = R"(/storage/v1/b/([^/]+)/o)";
constexpr const char* kObjectPath = R"(/storage/v1/b/([^/]+)/o/(.+))";
constexpr const char* kUploadPath = R"(/upload/storage/v1/b/([^/]+)/o)";

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void send(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=UTF-8");
}

// Google's JSON API error body.
void send_error(httplib::Response& res, int status, const std::string& message, const std::string& reason) {
  Json item = {{"message", message}, {"domain", "global"}, {"reason", reason}};
  send(res, status, {{"error", {{"code", status}, {"message", message}, {"errors", Json::array({item})}}}});
}

void send_no_such_object(httplib::Response& res, const std::string& bucket, const std::string& name) {
  send_error(res, 404, fmt::format("No such object: {}/{}", bucket, name), "notFound");
}

// Headers go out, then the connection is closed without the promised body.
void drop_connection(httplib::Response& res) {
  res.status = 200;
  res.set_content_provider(1, "application/octet-stream",
                           [](size_t, size_t, httplib::DataSink&) { return false; });
}

std::string random_token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("ya29.standin-{:016x}{:016x}", rng(), rng());
}

std::optional<uint64_t> number_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  try {
    return std::stoull(req.get_param_value(name));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

using ByteRange = std::pair<ssize_t, ssize_t>;  // httplib's parse: -1 for a missing bound

// The request's single byte range, if any. httplib 0.11 cuts the body of every answer to a
// request with a Range header to that range (error bodies too, turning them into 416s), so the
// route serves the range itself and clears httplib's copy of it.
std::optional<ByteRange> take_range(const httplib::Request& req) {
  auto& ranges = const_cast<httplib::Request&>(req).ranges;
  std::optional<ByteRange> range;
  if (ranges.size() == 1) range = ranges.front();
  ranges.clear();
  return range;
}

// [first, last] of `range` in an object of `size` bytes (RFC 9110: the end is capped, "-N" is
// the last N bytes); nullopt when it cannot be satisfied.
std::optional<std::pair<uint64_t, uint64_t>> resolve_range(const ByteRange& range, uint64_t size) {
  if (range.first < 0) {
    auto suffix = static_cast<uint64_t>(std::max<ssize_t>(range.second, 0));
    if (suffix == 0 || size == 0) return std::nullopt;
    return std::make_pair(size - std::min(suffix, size), size - 1);
  }
  auto first = static_cast<uint64_t>(range.first);
  if (first >= size) return std::nullopt;
  uint64_t last = range.second < 0 ? size - 1 : std::min(static_cast<uint64_t>(range.second), size - 1);
  return std::make_pair(first, last);
}

bool generation_matches(const httplib::Request& req, const Object& object) {
  if (!req.has_param("ifGenerationMatch")) return true;
  return number_param(req, "ifGenerationMatch") == static_cast<uint64_t>(object.generation);
}

}  // namespace

StandInServer::StandInServer(ServerOptions options) : options_(std::move(options)), store_(options_.buckets) {
  http_.new_task_queue = [] { return new httplib::ThreadPool(32); };
  http_.set_keep_alive_timeout(2);
  routes();
}

int StandInServer::bind(int port) {
  if (port == 0) return http_.bind_to_any_port("127.0.0.1");
  return http_.bind_to_port("127.0.0.1", port) ? port : -1;
}

void StandInServer::listen() { http_.listen_after_bind(); }

void StandInServer::routes() {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  http_.Post("/token", [this](Req req, Res res) { token(req, res); });
  http_.Get(kBucketPath, [this](Req req, Res res) { list_objects(req, res); });
  http_.Get(kObjectPath, [this](Req req, Res res) { get_object(req, res); });
  http_.Delete(kObjectPath, [this](Req req, Res res) { delete_object(req, res); });
  http_.Post(kUploadPath, [this](Req req, Res res) { start_upload(req, res); });
  http_.Put(kUploadPath, [this](Req req, Res res, const httplib::ContentReader& reader) {
    put_upload(req, res, reader);
  });
  http_.Delete(kUploadPath, [this](Req req, Res res) { cancel_upload(req, res); });
  http_.Get("/_standin/stats", [this](Req, Res res) { stats(res); });
  http_.Post("/_standin/faults", [this](Req req, Res res) { faults(req, res); });
}

void StandInServer::token(const httplib::Request& req, httplib::Response& res) {
  if (req.get_param_value("grant_type") != kJwtBearerGrant) {
    tokens_refused_++;
    send(res, 400, {{"error", "unsupported_grant_type"},
                    {"error_description", "Invalid grant_type: " + req.get_param_value("grant_type")}});
    return;
  }
  TokenRules rules{options_.public_pem, options_.client_email, "http://" + req.get_header_value("Host") + "/token",
                   unix_now()};
  TokenRefusal refusal = check_assertion(req.get_param_value("assertion"), rules);
  if (!refusal.error.empty()) {
    tokens_refused_++;
    send(res, 400, {{"error", refusal.error}, {"error_description", refusal.description}});
    return;
  }
  std::string token = random_token();
  {
    std::lock_guard lock(mutex_);
    tokens_[token] = unix_now_ms() + options_.token_ttl * 1000;
  }
  tokens_issued_++;
  send(res, 200, {{"access_token", token}, {"expires_in", options_.token_ttl}, {"token_type", "Bearer"}});
}

bool StandInServer::authorized(const httplib::Request& req, httplib::Response& res) {
  constexpr std::string_view kBearer = "Bearer ";
  std::string header = req.get_header_value("Authorization");
  if (header.starts_with(kBearer)) {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(header.substr(kBearer.size()));
    if (it != tokens_.end() && it->second > unix_now_ms()) return true;
  }
  unauthorized_++;
  send_error(res, 401, "Invalid Credentials", "authError");
  return false;
}

void StandInServer::get_object(const httplib::Request& req, httplib::Response& res) {
  std::optional<ByteRange> range = take_range(req);  // before any answer is made
  if (!authorized(req, res)) return;
  std::string bucket = req.matches[1], name = req.matches[2];
  if (!store_.has_bucket(bucket)) return send_error(res, 404, "The specified bucket does not exist.", "notFound");
  auto object = store_.get(bucket, name);
  if (!object) return send_no_such_object(res, bucket, name);
  if (!generation_matches(req, *object)) {
    precondition_failures_++;
    return send_error(res, 412, "At least one of the pre-conditions you specified did not hold.",
                      "conditionNotMet");
  }
  if (req.get_param_value("alt") != "media") return send(res, 200, object_resource(bucket, name, *object));
  auto generation = number_param(req, "generation");
  if (req.has_param("generation") && generation != static_cast<uint64_t>(object->generation)) {
    return send_no_such_object(res, bucket, name);
  }
  serve_media(*object, range, res);
}

void StandInServer::serve_media(const Object& object, std::optional<ByteRange> range, httplib::Response& res) {
  media_gets_++;
  res.set_header("x-goog-generation", std::to_string(object.generation));
  if (!range) return res.set_content(object.data, "application/octet-stream");
  ranged_gets_++;
  uint64_t size = object.data.size();
  auto span = resolve_range(*range, size);
  if (!span) {
    res.set_header("Content-Range", fmt::format("bytes */{}", size));
    return send_error(res, 416, "The requested range cannot be satisfied.", "requestedRangeNotSatisfiable");
  }
  auto [first, last] = *span;
  res.set_header("Content-Range", fmt::format("bytes {}-{}/{}", first, last, size));
  res.set_content(object.data.substr(first, last - first + 1), "application/octet-stream");
  res.status = 206;
}

void StandInServer::delete_object(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  std::string bucket = req.matches[1], name = req.matches[2];
  if (!store_.has_bucket(bucket)) return send_error(res, 404, "The specified bucket does not exist.", "notFound");
  if (!store_.remove(bucket, name)) return send_no_such_object(res, bucket, name);
  res.status = 204;
}

void StandInServer::list_objects(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  std::string bucket = req.matches[1];
  if (!store_.has_bucket(bucket)) return send_error(res, 404, "The specified bucket does not exist.", "notFound");
  size_t page_size = number_param(req, "maxResults").value_or(options_.default_page_size);
  if (page_size == 0 || page_size > 1000) page_size = 1000;
  send(res, 200, store_.list(bucket, req.get_param_value("prefix"), req.get_param_value("delimiter"),
                             req.get_param_value("pageToken"), page_size));
}

void StandInServer::start_upload(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  std::string bucket = req.matches[1];
  if (!store_.has_bucket(bucket)) return send_error(res, 404, "The specified bucket does not exist.", "notFound");
  if (req.get_param_value("uploadType") != "resumable") {
    return send_error(res, 400, "The stand-in supports only uploadType=resumable.", "invalid");
  }
  Json resource = Json::parse(req.body, nullptr, false);
  if (resource.is_discarded() || !resource.is_object()) {
    return send_error(res, 400, "Invalid JSON payload: the body must be an object resource.", "parseError");
  }
  std::string name = req.get_param_value("name");
  if (resource.contains("name") && resource["name"].is_string()) {
    std::string body_name = resource["name"].get<std::string>();
    if (!name.empty() && body_name != name) {
      return send_error(res, 400, "The name in the body and query differ.", "invalid");
    }
    name = body_name;
  }
  if (name.empty()) return send_error(res, 400, "Required: object name.", "required");
  Json metadata = resource.contains("metadata") ? resource["metadata"] : Json();
  if (!metadata.is_null() && !metadata.is_object()) return send_error(res, 400, "metadata must be a map.", "invalid");
  for (const auto& [key, value] : metadata.items()) {
    if (!value.is_string()) return send_error(res, 400, "metadata value of '" + key + "' is not a string.", "invalid");
  }
  std::optional<uint64_t> total;
  if (req.has_header("X-Upload-Content-Length")) {
    auto declared = parse_content_range("bytes */" + req.get_header_value("X-Upload-Content-Length"));
    total = declared ? declared->total : std::nullopt;
    if (!total) return send_error(res, 400, "X-Upload-Content-Length is not a number.", "invalid");
  }
  std::string id = store_.start_upload(bucket, name, metadata, total);
  sessions_++;
  res.set_header("Location", fmt::format("http://{}/upload/storage/v1/b/{}/o?uploadType=resumable&upload_id={}",
                                         req.get_header_value("Host"), bucket, id));
  res.status = 200;
}

void StandInServer::put_upload(const httplib::Request& req, httplib::Response& res,
                               const httplib::ContentReader& reader) {
  std::string body;
  auto receive_up_to = [&](uint64_t limit) {
    reader([&](const char* data, size_t size) {
      body.append(data, size);
      return body.size() < limit;
    });
  };
  if (!authorized(req, res)) return receive_up_to(UINT64_MAX);  // the whole body, to keep the connection usable
  auto range = parse_content_range(req.get_header_value("Content-Range"));
  bool is_chunk = range && !range->status_query;
  std::optional<uint64_t> drop_after = is_chunk ? take_drop() : std::nullopt;
  uint64_t chunk_size = is_chunk ? range->last - range->first + 1 : 0;
  bool cut = drop_after && *drop_after < chunk_size;
  receive_up_to(cut ? *drop_after : UINT64_MAX);
  if (!range) return send_error(res, 400, "Invalid request. Missing or malformed Content-Range.", "invalid");
  (is_chunk ? chunks_ : status_queries_)++;
  if (is_chunk && !range->total) open_ended_chunks_++;
  std::string id = req.get_param_value("upload_id");
  if (cut) {
    store_.keep_partial(id, *range, body);
    drops_++;
    return drop_connection(res);
  }
  UploadAnswer answer = store_.put(id, *range, body);
  if (drop_after) {  // the chunk went in; its answer is lost
    drops_++;
    return drop_connection(res);
  }
  if (answer.status == 200) return send(res, 200, answer.resource);
  if (answer.status == 308) {
    res.status = 308;
    if (answer.persisted > 0) res.set_header("Range", fmt::format("bytes=0-{}", answer.persisted - 1));
    return;
  }
  send_error(res, answer.status, answer.message, answer.status == 404 ? "notFound" : "invalid");
}

void StandInServer::cancel_upload(const httplib::Request& req, httplib::Response& res) {
  if (!authorized(req, res)) return;
  std::string id = req.get_param_value("upload_id");
  if (!store_.cancel_upload(id)) return send_error(res, 404, "No such upload session: " + id, "notFound");
  cancelled_++;
  res.status = 499;  // GCS's answer to a cancelled upload ("Client Closed Request"), with no body
}

std::optional<uint64_t> StandInServer::take_drop() {
  std::lock_guard lock(mutex_);
  if (fault_.drops == 0) return std::nullopt;
  if (fault_.skip > 0) {
    fault_.skip--;
    return std::nullopt;
  }
  if (fault_.drops > 0) fault_.drops--;
  return fault_.after;
}

void StandInServer::faults(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  fault_.after = number_param(req, "after").value_or(0);
  fault_.drops = req.has_param("drops") ? std::stoi(req.get_param_value("drops")) : 1;
  fault_.skip = static_cast<int>(number_param(req, "skip").value_or(0));
  send(res, 200, Json::object());
}

void StandInServer::stats(httplib::Response& res) {
  send(res, 200, {{"tokens_issued", tokens_issued_.load()},
                  {"tokens_refused", tokens_refused_.load()},
                  {"unauthorized", unauthorized_.load()},
                  {"sessions", sessions_.load()},
                  {"chunks", chunks_.load()},
                  {"open_ended_chunks", open_ended_chunks_.load()},
                  {"status_queries", status_queries_.load()},
                  {"drops", drops_.load()},
                  {"cancelled", cancelled_.load()},
                  {"open_sessions", store_.open_session_count()},
                  {"media_gets", media_gets_.load()},
                  {"ranged_gets", ranged_gets_.load()},
                  {"precondition_failures", precondition_failures_.load()},
                  {"objects", store_.object_count()}});
}

}  // namespace astacus::gcs_stand_in

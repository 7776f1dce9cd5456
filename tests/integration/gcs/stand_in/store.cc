// In-memory buckets, objects, listings and resumable-upload sessions of the GCS stand-in.
#include "store.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "base/encoding.h"
#include "storage/gcs/gcs_resources.h"

namespace astacus::gcs_stand_in {

namespace {

std::string rfc3339_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string random_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

UploadAnswer incomplete(uint64_t persisted) { return {308, persisted, nullptr, ""}; }
UploadAnswer refused(int status, std::string message) { return {status, 0, nullptr, std::move(message)}; }

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view header) {
  constexpr std::string_view kBytes = "bytes ";
  if (!header.starts_with(kBytes)) return std::nullopt;
  header.remove_prefix(kBytes.size());
  size_t slash = header.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view span = header.substr(0, slash), total = header.substr(slash + 1);
  ContentRange range;
  if (total != "*") {
    range.total = parse_number(total);
    if (!range.total) return std::nullopt;
  }
  if (span == "*") {
    range.status_query = true;
    return range;
  }
  size_t dash = span.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_number(span.substr(0, dash)), last = parse_number(span.substr(dash + 1));
  if (!first || !last || *last < *first) return std::nullopt;
  range.first = *first;
  range.last = *last;
  return range;
}

Json object_resource(const std::string& bucket, const std::string& name, const Object& object) {
  Json out = {{"kind", "storage#object"},
              {"id", fmt::format("{}/{}/{}", bucket, name, object.generation)},
              {"name", name},
              {"bucket", bucket},
              {"generation", std::to_string(object.generation)},
              {"metageneration", "1"},
              {"contentType", "application/octet-stream"},
              {"size", std::to_string(object.data.size())},
              {"crc32c", storage::gcs::crc32c_base64(object.data)},
              {"updated", object.updated}};
  if (object.metadata.is_object() && !object.metadata.empty()) out["metadata"] = object.metadata;
  return out;
}

Store::Store(const std::vector<std::string>& buckets) {
  for (const auto& bucket : buckets) buckets_[bucket];
}

bool Store::has_bucket(const std::string& bucket) const {
  std::lock_guard lock(mutex_);
  return buckets_.contains(bucket);
}

std::optional<Object> Store::get(const std::string& bucket, const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return std::nullopt;
  auto o = b->second.find(name);
  if (o == b->second.end()) return std::nullopt;
  return o->second;
}

bool Store::remove(const std::string& bucket, const std::string& name) {
  std::lock_guard lock(mutex_);
  auto b = buckets_.find(bucket);
  return b != buckets_.end() && b->second.erase(name) > 0;
}

Json Store::list(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                 const std::string& page_token, size_t max_results) const {
  std::lock_guard lock(mutex_);
  const auto& objects = buckets_.at(bucket);
  std::string after = page_token.empty() ? "" : from_hex(page_token).value_or("");
  Json items = Json::array(), prefixes = Json::array();
  std::string last;
  size_t count = 0;
  bool more = false;
  for (auto it = objects.lower_bound(prefix); it != objects.end() && it->first.starts_with(prefix); ++it) {
    std::string entry = it->first;
    size_t cut = delimiter.empty() ? std::string::npos : entry.find(delimiter, prefix.size());
    bool is_prefix = cut != std::string::npos;
    if (is_prefix) entry = entry.substr(0, cut + delimiter.size());
    if (!page_token.empty() && entry <= after) continue;
    if (entry == last) continue;  // another object under the same collapsed prefix
    if (count == max_results) {
      more = true;
      break;
    }
    if (is_prefix) {
      prefixes.push_back(entry);
    } else {
      items.push_back(object_resource(bucket, it->first, it->second));
    }
    last = entry;
    ++count;
  }
  Json page = {{"kind", "storage#objects"}};
  if (more) page["nextPageToken"] = to_hex(last);
  if (!items.empty()) page["items"] = items;
  if (!prefixes.empty()) page["prefixes"] = prefixes;
  return page;
}

std::string Store::start_upload(const std::string& bucket, const std::string& name, Json metadata,
                                std::optional<uint64_t> total) {
  std::lock_guard lock(mutex_);
  std::string id = random_id();
  sessions_[id] = Session{bucket, name, std::move(metadata), total, "", false, nullptr};
  return id;
}

UploadAnswer Store::put(const std::string& id, const ContentRange& range, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return refused(404, "No such upload session: " + id);
  Session& session = it->second;
  if (session.done) return {200, session.data.size(), session.resource, ""};
  if (range.total && session.total && *range.total != *session.total) {
    return refused(400, fmt::format("Invalid request. The total size {} differs from the declared {}.",
                                    *range.total, *session.total));
  }
  if (range.total) session.total = range.total;
  if (range.status_query) {
    if (!bytes.empty()) return refused(400, "Invalid request. A status query (bytes */N) must have no body.");
    if (session.total && *session.total == session.data.size()) return {200, session.data.size(), finish(session), ""};
    return incomplete(session.data.size());
  }
  return append(session, range, bytes);
}

UploadAnswer Store::append(Session& session, const ContentRange& range, std::string_view bytes) {
  if (range.first != session.data.size()) {
    return refused(400, fmt::format("Invalid request. The chunk starts at byte {} but {} bytes are persisted.",
                                    range.first, session.data.size()));
  }
  if (bytes.size() != range.last - range.first + 1) {
    return refused(400, fmt::format("Invalid request. Content-Range covers {} bytes but the body has {}.",
                                    range.last - range.first + 1, bytes.size()));
  }
  bool final = session.total && range.last + 1 == *session.total;
  if (session.total && range.last + 1 > *session.total) {
    return refused(400, "Invalid request. The chunk ends after the declared total size.");
  }
  if (!final && bytes.size() % kChunkQuantum != 0) {
    return refused(400, fmt::format("Invalid request. A non-final chunk of {} bytes is not a multiple of 256 KiB "
                                    "(262144 bytes).", bytes.size()));
  }
  session.data.append(bytes);
  if (final) return {200, session.data.size(), finish(session), ""};
  return incomplete(session.data.size());
}

Json Store::finish(Session& session) {
  Object object{session.data, session.metadata, next_generation_++, rfc3339_now()};
  session.resource = object_resource(session.bucket, session.name, object);
  session.done = true;
  auto& objects = buckets_[session.bucket];
  objects.insert_or_assign(session.name, std::move(object));
  return session.resource;
}

void Store::keep_partial(const std::string& id, const ContentRange& range, std::string_view received) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.done || range.status_query) return;
  Session& session = it->second;
  if (range.first != session.data.size()) return;
  session.data.append(received.substr(0, received.size() / kChunkQuantum * kChunkQuantum));
}

bool Store::cancel_upload(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second.done) return false;
  sessions_.erase(it);
  return true;
}

size_t Store::open_session_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(
      std::count_if(sessions_.begin(), sessions_.end(), [](const auto& entry) { return !entry.second.done; }));
}

size_t Store::object_count() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [bucket, objects] : buckets_) count += objects.size();
  return count;
}

}  // namespace astacus::gcs_stand_in

#include "plugins/etcd/client.h"

#include "http/client.h"

namespace astacus::plugins::etcd {

namespace {

std::string describe_prefix(std::string_view prefix) {
  return fmt::format("prefix '{}'", printable_key(prefix));
}

std::string describe_range(std::string_view key, std::string_view range_end) {
  return fmt::format("range ['{}', '{}')", printable_key(key), printable_key(range_end));
}

/// etcd refuses an empty key; key "\0" with range_end "\0" (all keys from key on) is every key.
std::string range_start(std::string_view prefix) {
  return prefix.empty() ? std::string(1, '\0') : std::string(prefix);
}

bool is_transient_status(int status) { return status >= 500 || status == 429 || status == 408; }

}  // namespace

Client::Client(std::string url, ClientOptions options) : url_(std::move(url)), options_(options) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

Result<nlohmann::json> Client::call(const std::string& path, const nlohmann::json& body,
                                    const std::string& what) const {
  std::string url = url_ + "/" + path;
  auto context = [&] { return fmt::format("etcd at {}: {} of {}", url_, path, what); };
  auto response = http::request("POST", url, {options_.timeout, body.dump()});
  if (!response) {
    Error error = response.error().with_context(context() + ": not reachable");
    error.code = ErrorCode::kUnavailable;
    error.retryable = true;
    return make_error(std::move(error));
  }
  if (!response->ok()) {
    bool transient = is_transient_status(response->status);
    return make_error(transient ? ErrorCode::kUnavailable : ErrorCode::kInvalidArgument,
                      fmt::format("{}: answered HTTP {}: {}", context(), response->status,
                                  wire::error_message(response->body)),
                      transient);
  }
  auto parsed = nlohmann::json::parse(response->body, nullptr, false);
  if (parsed.is_discarded()) {
    return make_error(ErrorCode::kCorruption,
                      fmt::format("{}: malformed answer (not JSON): {}", context(),
                                  response->body.substr(0, 200)));
  }
  return parsed;
}

Result<std::vector<KeyValue>> Client::read_range(std::string_view key, std::string_view range_end,
                                                 const std::string& what) const {
  std::vector<KeyValue> out;
  std::string next(key);
  int64_t revision = 0;  // pinned by the first page so every page reads the same view
  while (true) {
    auto request = wire::range_request(next, range_end, options_.page_size, revision);
    auto body = ASTACUS_TRY(call("kv/range", request, what));
    auto page = wire::parse_range_response(body);
    if (!page) {
      return make_error(page.error().with_context(
          fmt::format("etcd at {}: kv/range of {}: malformed answer", url_, what)));
    }
    if (revision == 0) revision = page->revision;
    bool more = page->more && !page->kvs.empty();
    for (auto& kv : page->kvs) out.push_back(std::move(kv));
    if (!more) return out;
    next = out.back().key + std::string(1, '\0');  // the smallest key after the last one
  }
}

Result<std::vector<KeyValue>> Client::range(std::string_view key,
                                            std::string_view range_end) const {
  return read_range(key, range_end, describe_range(key, range_end));
}

Result<std::vector<KeyValue>> Client::get_prefix(std::string_view prefix) const {
  return read_range(range_start(prefix), prefix_range_end(prefix), describe_prefix(prefix));
}

Status Client::put(std::string_view key, std::string_view value) const {
  std::string what = fmt::format("key '{}'", printable_key(key));
  auto body = ASTACUS_TRY(call("kv/put", wire::put_request(key, value), what));
  auto parsed = wire::parse_put_response(body);
  if (!parsed) {
    return make_error(parsed.error().with_context(
        fmt::format("etcd at {}: kv/put of {}: malformed answer", url_, what)));
  }
  return ok();
}

Result<int64_t> Client::delete_keys(std::string_view key, std::string_view range_end,
                                    const std::string& what) const {
  auto body = ASTACUS_TRY(call("kv/deleterange", wire::delete_range_request(key, range_end), what));
  auto deleted = wire::parse_delete_range_response(body);
  if (!deleted) {
    return make_error(deleted.error().with_context(
        fmt::format("etcd at {}: kv/deleterange of {}: malformed answer", url_, what)));
  }
  return *deleted;
}

Result<int64_t> Client::delete_range(std::string_view key, std::string_view range_end) const {
  return delete_keys(key, range_end, describe_range(key, range_end));
}

Result<int64_t> Client::delete_prefix(std::string_view prefix) const {
  return delete_keys(range_start(prefix), prefix_range_end(prefix), describe_prefix(prefix));
}

}  // namespace astacus::plugins::etcd

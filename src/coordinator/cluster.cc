#include "coordinator/cluster.h"

#include <future>
#include <spdlog/spdlog.h>

#include "http/client.h"
#include "manifest/json.h"
#include "manifest/json_skim.h"

namespace astacus::coordinator {

namespace {
constexpr std::chrono::seconds kLockTimeout{10};

template <typename Fn>
auto for_each_node_parallel(size_t n, Fn fn) {
  using R = decltype(fn(size_t{0}));
  std::vector<std::future<R>> futures;
  for (size_t i = 0; i < n; ++i) futures.push_back(std::async(std::launch::async, fn, i));
  std::vector<R> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}
}  // namespace

void SubResultSignal::notify() {
  {
    std::lock_guard lock(mutex_);
    signalled_ = true;
  }
  cv_.notify_all();
}

void SubResultSignal::wait(double seconds, const std::function<bool()>& stop) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(seconds));
  std::unique_lock lock(mutex_);
  while (!signalled_ && !(stop && stop())) {
    if (cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                    std::chrono::milliseconds(100))) ==
            std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline) {
      break;
    }
  }
  signalled_ = false;
}

Cluster::Cluster(std::vector<config::CoordinatorNode> nodes, config::PollConfig poll)
    : nodes_(std::move(nodes)), poll_(poll) {}

LockOutcome Cluster::call_all(const std::string& path_and_query, std::string* problems) {
  auto outcomes = for_each_node_parallel(nodes_.size(), [&](size_t i) {
    std::string url = nodes_[i].url + path_and_query;
    auto response = http::request("POST", url, {kLockTimeout, std::nullopt});
    if (!response) {
      return std::make_pair(LockOutcome::kException,
                            fmt::format("node {} ({}) unreachable", i, nodes_[i].url));
    }
    auto body = response->json(url);
    if (!response->ok() || !body || *body != nlohmann::json{{"locked", true}}) {
      return std::make_pair(LockOutcome::kFailure, fmt::format("node {} ({}) answered {} {}", i,
                                                               nodes_[i].url, response->status,
                                                               response->body));
    }
    return std::make_pair(LockOutcome::kOk, std::string());
  });
  LockOutcome result = LockOutcome::kOk;
  for (const auto& [outcome, problem] : outcomes) {
    if (outcome == LockOutcome::kOk) continue;
    spdlog::warn("{}: {}", path_and_query.substr(0, path_and_query.find('?')), problem);
    if (problems) *problems += (problems->empty() ? "" : "; ") + problem;
    if (outcome == LockOutcome::kFailure || result == LockOutcome::kOk) result = outcome;
  }
  return result;
}

LockOutcome Cluster::lock(const std::string& locker, int64_t ttl, std::string* problems) {
  return call_all(fmt::format("/lock?locker={}&ttl={}", http::url_encode(locker), ttl), problems);
}

LockOutcome Cluster::relock(const std::string& locker, int64_t ttl) {
  return call_all(fmt::format("/relock?locker={}&ttl={}", http::url_encode(locker), ttl));
}

void Cluster::unlock(const std::string& locker) {
  for_each_node_parallel(nodes_.size(), [&](size_t i) {
    auto url = fmt::format("{}/unlock?locker={}&ttl=0", nodes_[i].url, http::url_encode(locker));
    ignore_error(http::request("POST", url, {kLockTimeout, std::nullopt}), "best-effort unlock");
    return 0;
  });
}

Result<std::string> Cluster::start_on_node(size_t index, const std::string& subpath, std::string body) {
  std::string url = nodes_[index].url + "/" + subpath;
  auto response = ASTACUS_TRY(http::request("POST", url, {std::chrono::seconds(10), std::move(body)}));
  if (!response.ok()) {
    return errorf(ErrorCode::kUnavailable, "node {} ({}) refused {}: HTTP {} {}", index, url, subpath,
                  response.status, response.body);
  }
  auto parsed = ASTACUS_TRY(response.json(url));
  if (!parsed.contains("status_url") || !parsed["status_url"].is_string()) {
    return errorf(ErrorCode::kUnavailable, "node {} ({}) gave no status_url: {}", index, url,
                  response.body);
  }
  return parsed["status_url"].get<std::string>();
}

namespace {

/// `{"result_url":"<url>", ...the members of object_text}`, made in place: an upload's body
/// lists every blob of the node, and a copy of it would double that while it is sent.
std::string with_result_url(std::string object_text, const std::string& result_url) {
  std::string member = "\"result_url\":" + manifest::dump_compact(nlohmann::ordered_json(result_url));
  size_t open = object_text.find('{');
  size_t close = object_text.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return "{" + member + "}";
  bool has_members = object_text.find_first_not_of(" \t\r\n", open + 1) != close;
  object_text.erase(close + 1);
  object_text.erase(0, open + 1);
  object_text.insert(0, "{" + member + (has_members ? "," : ""));
  return object_text;
}

/// A node's status body as JSON, without the members that hold a snapshot's file list and
/// hashes (those are read from the text by the snapshot step, never as a DOM).
Result<nlohmann::json> parse_summary(const http::Response& response, const std::string& url) {
  using Json = nlohmann::json;
  // Cutting the big members out by structure first is ~10x faster than letting the parser skip
  // them; text that is not a sound object goes to the parser whole, for its error.
  if (auto rest = manifest::without_members(response.body, {"state", "hashes"})) {
    Json small = Json::parse(*rest, nullptr, false);
    if (!small.is_discarded()) return small;
  }
  Json parsed = Json::parse(
      response.body,
      [](int depth, Json::parse_event_t event, Json& value) {
        return !(event == Json::parse_event_t::key && depth == 1 &&
                 (value == "state" || value == "hashes"));
      },
      false);
  if (parsed.is_discarded()) {
    return errorf(ErrorCode::kInvalidArgument, "{} answered HTTP {} with a body that is not JSON: {}",
                  url, response.status, response.body.substr(0, 200));
  }
  return parsed;
}

}  // namespace

Result<std::vector<Cluster::NodeOpResult>> Cluster::run_node_op(
    const std::string& subpath, const NodeBodies& body_of,
    const std::string& result_url, SubResultSignal& signal,
    const std::function<void(const manifest::Progress&)>& on_progress,
    const std::function<bool()>& cancelled, const std::function<Status(size_t, NodeOpResult&)>& on_final,
    const NodeAnswerStreams& answer_streams) {
  std::vector<std::optional<std::string>> status_urls(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    std::optional<std::string> body = body_of(i);
    if (!body) continue;
    // Moved into the request: freed once sent, not held while the nodes work.
    status_urls[i] = ASTACUS_TRY(start_on_node(i, subpath, with_result_url(std::move(*body), result_url)));
  }
  std::vector<NodeOpResult> results(nodes_.size());
  std::vector<int> failures(nodes_.size(), 0);
  std::vector<bool> done(nodes_.size(), false);
  double delay = poll_.delay_start;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(poll_.duration));
  while (true) {
    bool all_final = true;
    std::vector<manifest::Progress> progresses;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!status_urls[i]) continue;
      const bool fetched = !done[i];  // a result already final is not fetched (nor handed on) again
      if (fetched) {
        bool streamed = false;
        auto response = fetch_status(i, *status_urls[i], answer_streams, streamed);
        Result<nlohmann::json> parsed = response ? parse_summary(*response, *status_urls[i])
                                                 : Result<nlohmann::json>(make_error(response.error()));
        if (!parsed || !response->ok()) {
          if (++failures[i] >= poll_.maximum_failures) {
            return errorf(ErrorCode::kUnavailable, "node {} ({}): polling {} failed {} times: {}", i,
                          nodes_[i].url, *status_urls[i], failures[i],
                          parsed ? response->body : parsed.error().message);
          }
          all_final = false;
          continue;
        }
        failures[i] = 0;
        results[i] = {std::move(*parsed), std::move(response->body), streamed};
      }
      const nlohmann::json& summary = results[i].summary;
      auto progress = manifest::parse_progress(summary.value("progress", nlohmann::json::object()));
      manifest::Progress p = progress ? *progress : manifest::Progress{};
      progresses.push_back(p);
      if (p.finished_failed()) {
        return errorf(ErrorCode::kUnavailable, "node {} ({}) failed {}: {}", i, nodes_[i].url, subpath,
                      summary.value("error", std::string("see that node's log")));
      }
      done[i] = p.final;
      if (!p.final) all_final = false;
      if (fetched && p.final && on_final) ASTACUS_CHECK(on_final(i, results[i]));
    }
    if (on_progress) on_progress(manifest::Progress::merge(progresses));
    if (all_final) return results;
    if (cancelled && cancelled()) return make_error(ErrorCode::kCancelled, subpath + " cancelled");
    if (std::chrono::steady_clock::now() > deadline) {
      return errorf(ErrorCode::kTimeout, "nodes did not finish {} within {} s", subpath, poll_.duration);
    }
    signal.wait(delay, cancelled);
    delay = std::min(delay * poll_.delay_multiplier, poll_.delay_max);
  }
}

Result<http::Response> Cluster::fetch_status(size_t index, const std::string& url, const NodeAnswerStreams& streams,
                                             bool& streamed) const {
  streamed = false;
  auto timeout = std::chrono::milliseconds(static_cast<int64_t>(poll_.result_timeout * 1000));
  if (streams) {
    std::shared_ptr<NodeAnswerStream> stream = streams(index);
    Status written = ok();
    http::RequestOptions options{timeout, std::nullopt};
    options.on_body = [&](std::string_view bytes) {
      written = stream->write(bytes);
      return written.has_value();
    };
    auto response = http::request("GET", url, options);
    if (!response && written) return response;  // the node did not answer: no second try now
    Result<std::optional<std::string>> skeleton = std::nullopt;
    if (response && response->ok() && written) skeleton = stream->finish();
    if (skeleton && *skeleton) {
      response->body = std::move(**skeleton);
      streamed = true;
      return response;
    }
    if (!written || !skeleton) {
      spdlog::warn("node {}: reading its answer as it arrived failed ({}); fetching it whole", index,
                   (!written ? written.error() : skeleton.error()).message);
    }
    // An error status, or an answer the stream left to the whole-text reader: fetched again
    // whole, so that it is read, or its error reported, exactly as without a stream.
  }
  return http::request("GET", url, {timeout, std::nullopt});
}

std::vector<std::optional<nlohmann::json>> Cluster::metadata() {
  return for_each_node_parallel(nodes_.size(), [&](size_t i) -> std::optional<nlohmann::json> {
    auto response = http::request("GET", nodes_[i].url + "/metadata", {std::chrono::seconds(10), {}});
    if (!response || !response->ok()) return std::nullopt;
    auto parsed = response->json(nodes_[i].url);
    if (!parsed) return std::nullopt;
    return *parsed;
  });
}

}  // namespace astacus::coordinator

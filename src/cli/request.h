#pragma once
// Python's `utils.http_request` for the CLI: logs "request <method> <url> by <caller>" (INFO),
// sends, and returns the JSON of a 2xx answer. A non-2xx answer logs
// "Unexpected response from <url> to <caller>: <status> '<body>'", a network failure or a
// non-JSON 2xx body logs "Unexpected response from <url> to <caller>: <error>" (WARNING);
// both return nullopt.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace astacus::cli {

struct JsonAnswer {
  nlohmann::json json;
  std::string body;  // the raw answer text
};

struct CallOptions {
  std::optional<std::string> body;  // sent as-is (a JSON document)
  std::chrono::milliseconds timeout{10000};
};

/// `method` is lower case ("get", "post") as in the log line.
std::optional<JsonAnswer> request_json(Context& ctx, const std::string& method,
                                       const std::string& url, const std::string& caller,
                                       const CallOptions& options = {});

}  // namespace astacus::cli

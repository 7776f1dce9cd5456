#include "cli/request.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "cli/format.h"
#include "http/client.h"

namespace astacus::cli {

std::optional<JsonAnswer> request_json(Context& ctx, const std::string& method,
                                       const std::string& url, const std::string& caller,
                                       const CallOptions& options) {
  Console& console = *ctx.console;
  console.info(fmt::format("request {} {} by {}", method, url, caller));
  std::string upper = method;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto response = http::request(upper, url, {options.timeout, options.body});
  if (!response) {
    console.warning(fmt::format("Unexpected response from {} to {}: {}", url, caller,
                                response.error().to_string()));
    return std::nullopt;
  }
  if (!response->ok()) {
    console.warning(fmt::format("Unexpected response from {} to {}: {} {}", url, caller,
                                response->status, python_str_repr(response->body)));
    return std::nullopt;
  }
  auto json = response->json(url);
  if (!json) {
    console.warning(fmt::format("Unexpected response from {} to {}: {}", url, caller,
                                json.error().to_string()));
    return std::nullopt;
  }
  return JsonAnswer{std::move(*json), std::move(response->body)};
}

}  // namespace astacus::cli

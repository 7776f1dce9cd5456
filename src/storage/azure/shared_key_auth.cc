#include "storage/azure/shared_key_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>

#include "base/encoding.h"

namespace astacus::storage::azure {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and folds runs of whitespace into one space.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Value of a standard header (case-insensitive name), "" when absent.
std::string header_value(const Pairs& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (lower(k) == name) return v;
  }
  return "";
}

std::string canonicalized_headers(const Pairs& headers) {
  std::map<std::string, std::string> ms;
  for (const auto& [k, v] : headers) {
    std::string name = lower(k);
    if (name.starts_with("x-ms-")) ms[name] = canonical_value(v);
  }
  std::string out;
  for (const auto& [k, v] : ms) out += k + ":" + v + "\n";
  return out;
}

std::string canonicalized_resource(std::string_view account, const SignableRequest& r) {
  std::string out = "/" + std::string(account) + (r.path.empty() ? "/" : r.path);
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [k, v] : r.query) params[lower(k)].push_back(v);
  for (auto& [k, values] : params) {
    std::sort(values.begin(), values.end());
    out += "\n" + k + ":";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  }
  return out;
}

}  // namespace

std::string string_to_sign(std::string_view account, const SignableRequest& r) {
  std::string out = r.method + "\n";
  for (std::string_view name : {"content-encoding", "content-language"}) {
    out += header_value(r.headers, name) + "\n";
  }
  out += (r.content_length ? std::to_string(r.content_length) : "") + "\n";
  for (std::string_view name : {"content-md5", "content-type", "date", "if-modified-since", "if-match",
                                "if-none-match", "if-unmodified-since", "range"}) {
    out += header_value(r.headers, name) + "\n";
  }
  return out + canonicalized_headers(r.headers) + canonicalized_resource(account, r);
}

std::string hmac_sha256_base64(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), len));
}

std::string shared_key_authorization(std::string_view account, std::string_view key,
                                     const SignableRequest& request) {
  return "SharedKey " + std::string(account) + ":" +
         hmac_sha256_base64(key, string_to_sign(account, request));
}

std::string rfc1123_date(std::chrono::system_clock::time_point t) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace astacus::storage::azure

#include "config/field_reader.h"

#include <charconv>
#include <climits>
#include <cmath>

#include <fmt/ranges.h>

namespace astacus::config {

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (s.starts_with('+')) s.remove_prefix(1);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view s) {
  s = trim(s);
  if (s.starts_with('+')) s.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parse_bool(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "on" || s == "1") return true;
  if (s == "false" || s == "f" || s == "no" || s == "n" || s == "off" || s == "0") return false;
  return std::nullopt;
}

tl::unexpected<Error> expected(std::string_view path, std::string_view what, const Json& got) {
  return path_error(path, fmt::format("expected {}, got {}", what, describe(got)));
}

}  // namespace

std::string key_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(std::string_view parent, size_t index) { return fmt::format("{}[{}]", parent, index); }

tl::unexpected<Error> path_error(std::string_view path, std::string_view problem) {
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, std::string(problem));
  return errorf(ErrorCode::kInvalidArgument, "{}: {}", path, problem);
}

std::string describe(const Json& value) {
  if (value.is_object()) return "a mapping";
  if (value.is_array()) return "a list";
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

Status check_choice(std::string_view path, const std::string& value, Choices choices) {
  for (std::string_view c : choices) {
    if (value == c) return ok();
  }
  return path_error(path, fmt::format("expected one of {}, got {}", fmt::join(choices, ", "), describe(value)));
}

Status read_value(const Json& v, const std::string& path, std::string& out) {
  if (v.is_string()) {
    out = v.get<std::string>();
  } else if (v.is_number()) {
    out = v.dump();  // pydantic v1 coerces numbers to str
  } else {
    return expected(path, "a string", v);
  }
  return ok();
}

Status read_value(const Json& v, const std::string& path, int64_t& out) {
  std::optional<int64_t> value;
  if (v.is_number_integer() && !v.is_number_unsigned()) {
    value = v.get<int64_t>();
  } else if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) value = v.get<int64_t>();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::trunc(d) == d && std::fabs(d) < 9.2e18) value = static_cast<int64_t>(d);
  } else if (v.is_string()) {
    value = parse_int(v.get_ref<const std::string&>());
  }
  if (!value) return expected(path, "an integer", v);
  out = *value;
  return ok();
}

Status read_value(const Json& v, const std::string& path, int& out) {
  int64_t wide = 0;
  ASTACUS_CHECK(read_value(v, path, wide));
  if (wide < INT_MIN || wide > INT_MAX) return path_error(path, fmt::format("integer {} is out of range", wide));
  out = static_cast<int>(wide);
  return ok();
}

Status read_value(const Json& v, const std::string& path, double& out) {
  std::optional<double> value;
  if (v.is_number()) value = v.get<double>();
  if (v.is_string()) value = parse_double(v.get_ref<const std::string&>());
  if (!value) return expected(path, "a number", v);
  out = *value;
  return ok();
}

Status read_value(const Json& v, const std::string& path, bool& out) {
  std::optional<bool> value;
  if (v.is_boolean()) value = v.get<bool>();
  if (v.is_number_integer() && (v == 0 || v == 1)) value = v == 1;
  if (v.is_string()) value = parse_bool(v.get<std::string>());
  if (!value) return expected(path, "a boolean", v);
  out = *value;
  return ok();
}

Status read_value(const Json& v, const std::string& path, Json& out) {
  if (!v.is_object()) return expected(path, "a mapping", v);
  out = v;
  return ok();
}

Result<ObjectReader> ObjectReader::open(const Json& v, std::string path) {
  if (!v.is_object()) return expected(path, "a mapping", v);
  return ObjectReader(&v, std::move(path));
}

bool ObjectReader::has(std::string_view key) const {
  auto it = obj_->find(key);
  return it != obj_->end() && !it->is_null();
}

const Json* ObjectReader::lookup(std::string_view key) {
  used_.emplace(key);
  auto it = obj_->find(key);
  return it == obj_->end() ? nullptr : &*it;
}

Status ObjectReader::optional_choice(std::string_view key, std::string& out, Choices choices) {
  if (!has(key)) return optional(key, out);
  ASTACUS_CHECK(optional(key, out));
  return check_choice(path_of(key), out, choices);
}

Status ObjectReader::optional_choice(std::string_view key, std::optional<std::string>& out, Choices choices) {
  ASTACUS_CHECK(optional(key, out));
  if (!out) return ok();
  return check_choice(path_of(key), *out, choices);
}

Status ObjectReader::required_choice(std::string_view key, std::string& out, Choices choices) {
  if (!has(key)) return required(key, out);
  ASTACUS_CHECK(required(key, out));
  return check_choice(path_of(key), out, choices);
}

Status ObjectReader::finish() const {
  for (const auto& [key, value] : obj_->items()) {
    if (!used_.contains(key)) return path_error(path_of(key), "unknown key");
  }
  if (!missing_.empty()) return path_error(path_of(missing_), "required key missing");
  return ok();
}

}  // namespace astacus::config

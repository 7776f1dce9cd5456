#pragma once
// Schema-level reading of a JSON tree (from document.h) into config structs, pydantic-v1 style:
// every key is a known field, values are type-checked per field, and every error is
// InvalidArgument "<dotted.key.path>: <problem>" (list items as `nodes[1]`).
//
// Type rules (lenient where pydantic v1 was): strings accept numbers (rendered as text);
// integers accept integral numbers and decimal strings; numbers accept numeric strings;
// booleans accept true/false, 0/1 and yes/no/on/off/t/f/y/n strings. A null or absent optional
// key keeps the field's default; a required key must be present and non-null.

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::config {

using Json = nlohmann::json;
using Choices = std::initializer_list<std::string_view>;

/// "parent.key", or "key" at the root.
std::string key_path(std::string_view parent, std::string_view key);
/// "parent[index]".
std::string index_path(std::string_view parent, size_t index);
/// InvalidArgument "<path>: <problem>" ("<problem>" when path is empty).
tl::unexpected<Error> path_error(std::string_view path, std::string_view problem);
/// A value as shown in messages: strings quoted, containers named, long text cut.
std::string describe(const Json& value);
/// Fails with "expected one of a, b, c, got \"x\"" unless `value` is one of `choices`.
Status check_choice(std::string_view path, const std::string& value, Choices choices);

Status read_value(const Json& v, const std::string& path, std::string& out);
Status read_value(const Json& v, const std::string& path, int& out);
Status read_value(const Json& v, const std::string& path, int64_t& out);
Status read_value(const Json& v, const std::string& path, double& out);
Status read_value(const Json& v, const std::string& path, bool& out);
/// An untyped mapping (plugin_config, credentials, ...): any JSON object.
Status read_value(const Json& v, const std::string& path, Json& out);

template <typename T>
Status read_value(const Json& v, const std::string& path, std::optional<T>& out);
template <typename T>
Status read_value(const Json& v, const std::string& path, std::vector<T>& out);
template <typename T>
Status read_value(const Json& v, const std::string& path, std::map<std::string, T>& out);

/// Reads the keys of one JSON object. Call required()/optional() for every field, then
/// finish(): it reports the first unknown key, then the first missing required key (so a
/// typo is named before the key it was meant to be).
class ObjectReader {
 public:
  /// Fails with "<path>: expected a mapping, got ..." unless `v` is an object.
  static Result<ObjectReader> open(const Json& v, std::string path);

  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return key_path(path_, key); }
  /// Present and not null.
  bool has(std::string_view key) const;

  template <typename T>
  Status required(std::string_view key, T& out);
  template <typename T>
  Status optional(std::string_view key, T& out);
  /// optional()/required() on a string, then check_choice(); null/absent skip the check.
  Status optional_choice(std::string_view key, std::string& out, Choices choices);
  Status optional_choice(std::string_view key, std::optional<std::string>& out, Choices choices);
  Status required_choice(std::string_view key, std::string& out, Choices choices);

  Status finish() const;

 private:
  ObjectReader(const Json* obj, std::string path) : obj_(obj), path_(std::move(path)) {}
  const Json* lookup(std::string_view key);

  const Json* obj_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
  std::string missing_;  // first required key that was absent
};

// ---- template definitions ----

template <typename T>
Status read_value(const Json& v, const std::string& path, std::optional<T>& out) {
  if (v.is_null()) {
    out.reset();
    return ok();
  }
  T value{};
  ASTACUS_CHECK(read_value(v, path, value));
  out = std::move(value);
  return ok();
}

template <typename T>
Status read_value(const Json& v, const std::string& path, std::vector<T>& out) {
  if (!v.is_array()) return path_error(path, "expected a list, got " + describe(v));
  out.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    T item{};
    ASTACUS_CHECK(read_value(v[i], index_path(path, i), item));
    out.push_back(std::move(item));
  }
  return ok();
}

template <typename T>
Status read_value(const Json& v, const std::string& path, std::map<std::string, T>& out) {
  if (!v.is_object()) return path_error(path, "expected a mapping, got " + describe(v));
  out.clear();
  for (const auto& [key, item] : v.items()) {
    T value{};
    ASTACUS_CHECK(read_value(item, key_path(path, key), value));
    out.emplace(key, std::move(value));
  }
  return ok();
}

template <typename T>
Status ObjectReader::required(std::string_view key, T& out) {
  const Json* v = lookup(key);
  if (v == nullptr) {
    if (missing_.empty()) missing_ = std::string(key);
    return ok();
  }
  return read_value(*v, path_of(key), out);
}

template <typename T>
Status ObjectReader::optional(std::string_view key, T& out) {
  const Json* v = lookup(key);
  if (v == nullptr || v->is_null()) return ok();
  return read_value(*v, path_of(key), out);
}

}  // namespace astacus::config

#include "plugins/etcd/wire.h"

#include "base/encoding.h"

namespace astacus::plugins::etcd {

namespace {

tl::unexpected<Error> malformed(const std::string& what) {
  return make_error(ErrorCode::kCorruption, what);
}

/// An int64 field of proto3 JSON: a decimal string or a plain number; absent = 0.
Result<int64_t> int64_field(const nlohmann::json& object, const char* name,
                            const std::string& where) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return int64_t{0};
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const auto& text = it->get_ref<const std::string&>();
    try {
      size_t used = 0;
      int64_t value = std::stoll(text, &used);
      if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
  }
  return malformed(fmt::format("{}{} is not an integer: {}", where, name, it->dump()));
}

Result<std::string> base64_field(const nlohmann::json& object, const char* name,
                                 const std::string& where, bool required) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) return malformed(fmt::format("{}{} is missing", where, name));
    return std::string();
  }
  if (!it->is_string()) return malformed(fmt::format("{}{} is not a string", where, name));
  auto decoded = base64_decode(it->get_ref<const std::string&>());
  if (!decoded) return malformed(fmt::format("{}{} is not base64", where, name));
  return std::move(*decoded);
}

Status require_object(const nlohmann::json& body) {
  if (!body.is_object()) {
    return malformed(fmt::format("expected a JSON object, got {}", body.type_name()));
  }
  return ok();
}

}  // namespace

std::string prefix_range_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

std::string printable_key(std::string_view key) {
  constexpr size_t kMax = 200;
  std::string out;
  for (size_t i = 0; i < key.size() && i < kMax; ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (key.size() > kMax) out += "...";
  return out;
}

namespace wire {

nlohmann::json range_request(std::string_view key, std::string_view range_end, int64_t limit,
                             int64_t revision) {
  nlohmann::json body = {{"key", base64_encode(key)}, {"range_end", base64_encode(range_end)}};
  if (limit > 0) body["limit"] = std::to_string(limit);
  if (revision > 0) body["revision"] = std::to_string(revision);
  return body;
}

Result<RangePage> parse_range_response(const nlohmann::json& body) {
  ASTACUS_CHECK(require_object(body));
  RangePage page;
  if (auto header = body.find("header"); header != body.end() && header->is_object()) {
    page.revision = ASTACUS_TRY(int64_field(*header, "revision", "header."));
  }
  if (auto more = body.find("more"); more != body.end() && !more->is_null()) {
    if (!more->is_boolean()) return malformed("more is not a boolean");
    page.more = more->get<bool>();
  }
  auto kvs = body.find("kvs");
  if (kvs == body.end() || kvs->is_null()) return page;  // etcd omits an empty list
  if (!kvs->is_array()) return malformed(fmt::format("kvs is not a list: {}", kvs->type_name()));
  for (size_t i = 0; i < kvs->size(); ++i) {
    const auto& kv = (*kvs)[i];
    std::string where = fmt::format("kvs[{}].", i);
    if (!kv.is_object()) return malformed(fmt::format("kvs[{}] is not an object", i));
    KeyValue out;
    out.key = ASTACUS_TRY(base64_field(kv, "key", where, /*required=*/true));
    out.value = ASTACUS_TRY(base64_field(kv, "value", where, /*required=*/false));
    page.kvs.push_back(std::move(out));
  }
  return page;
}

nlohmann::json put_request(std::string_view key, std::string_view value) {
  return {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
}

nlohmann::json delete_range_request(std::string_view key, std::string_view range_end) {
  return {{"key", base64_encode(key)}, {"range_end", base64_encode(range_end)}};
}

Status parse_put_response(const nlohmann::json& body) { return require_object(body); }

Result<int64_t> parse_delete_range_response(const nlohmann::json& body) {
  ASTACUS_CHECK(require_object(body));
  return int64_field(body, "deleted", "");
}

std::string error_message(std::string_view body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    for (const char* field : {"message", "error"}) {
      auto it = parsed.find(field);
      if (it != parsed.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        return it->get<std::string>();
      }
    }
  }
  std::string text(body.substr(0, 200));
  return text.empty() ? std::string("(empty body)") : text;
}

}  // namespace wire
}  // namespace astacus::plugins::etcd

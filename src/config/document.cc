#include "config/document.h"

#include <charconv>
#include <regex>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace astacus::config {

using Json = nlohmann::json;

namespace {

constexpr int kMaxDepth = 200;

tl::unexpected<Error> syntax_error(std::string_view kind, const YAML::Mark& mark, std::string_view msg) {
  if (mark.is_null()) return errorf(ErrorCode::kInvalidArgument, "{}: {}", kind, msg);
  return errorf(ErrorCode::kInvalidArgument, "{} at line {}, column {}: {}", kind, mark.line + 1,
                mark.column + 1, msg);
}

std::string without_underscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

// PyYAML int forms (decimal, 0b, 0x, leading-0 octal); out-of-range values stay strings.
Json resolve_int(const std::string& text) {
  std::string s = without_underscores(text);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
  int base = 10;
  if (s.starts_with("0b") || s.starts_with("0x")) {
    base = s[1] == 'b' ? 2 : 16;
    s.erase(0, 2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.erase(0, 1);
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return text;
  if (!negative) {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) return text;
    return static_cast<int64_t>(magnitude);
  }
  if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return text;
  return static_cast<int64_t>(0 - magnitude);
}

Json resolve_float(const std::string& text) {
  std::string s = without_underscores(text);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return text;
  return negative ? -value : value;
}

// Resolves an untagged plain scalar the way PyYAML's SafeLoader does (sexagesimal numbers,
// timestamps, .inf and .nan stay strings).
Json resolve_plain(const std::string& s) {
  static const std::regex kBool("yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex kInt("[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+");
  static const std::regex kFloat("[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?");
  if (s.empty() || s.size() > 64) return s;
  if (std::regex_match(s, kBool)) {
    char c = s[0];
    return c == 'y' || c == 'Y' || c == 't' || c == 'T' || s == "on" || s == "On" || s == "ON";
  }
  if (std::regex_match(s, kInt)) return resolve_int(s);
  if (std::regex_match(s, kFloat)) return resolve_float(s);
  return s;
}

Json convert_scalar(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
  return resolve_plain(node.Scalar());
}

Result<Json> convert(const YAML::Node& node, int depth);

// `<<: *anchor` / `<<: [*a, *b]`: keys not set explicitly are taken from the merged mappings,
// earlier ones first (PyYAML semantics).
Status collect_merge(const YAML::Node& value, int depth, std::vector<Json>& merges) {
  if (value.IsMap()) {
    merges.push_back(ASTACUS_TRY(convert(value, depth + 1)));
    return ok();
  }
  if (value.IsSequence()) {
    for (const auto& item : value) {
      if (!item.IsMap()) return syntax_error("YAML error", item.Mark(), "merge key '<<' expects mappings");
      merges.push_back(ASTACUS_TRY(convert(item, depth + 1)));
    }
    return ok();
  }
  return syntax_error("YAML error", value.Mark(), "merge key '<<' expects a mapping");
}

Result<Json> convert_map(const YAML::Node& node, int depth) {
  Json out = Json::object();
  std::vector<Json> merges;
  for (const auto& kv : node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar() && !key.IsNull()) {
      return syntax_error("YAML error", key.Mark(), "mapping keys must be scalars");
    }
    std::string name = key.IsNull() ? "null" : key.Scalar();
    if (name == "<<" && key.Tag() == "?") {
      ASTACUS_CHECK(collect_merge(kv.second, depth, merges));
      continue;
    }
    out[name] = ASTACUS_TRY(convert(kv.second, depth + 1));
  }
  for (const Json& merged : merges) {
    for (const auto& [k, v] : merged.items()) {
      if (!out.contains(k)) out[k] = v;
    }
  }
  return out;
}

Result<Json> convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) return syntax_error("YAML error", node.Mark(), "nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return convert_scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ASTACUS_TRY(convert(item, depth + 1)));
      return out;
    }
    case YAML::NodeType::Map:
      return convert_map(node, depth);
  }
  return Json(nullptr);
}

Result<Json> parse_yaml(std::string_view text) {
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    if (docs.empty()) return Json(nullptr);
    if (docs.size() > 1) {
      return errorf(ErrorCode::kInvalidArgument, "expected a single YAML document, found {}", docs.size());
    }
    return convert(docs[0], 0);
  } catch (const YAML::Exception& e) {
    return syntax_error("YAML syntax error", e.mark, e.msg);
  } catch (const std::exception& e) {
    return errorf(ErrorCode::kInvalidArgument, "YAML error: {}", e.what());
  }
}

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    std::string msg = e.what();
    if (auto pos = msg.find("] "); msg.starts_with("[json.exception") && pos != std::string::npos) {
      msg.erase(0, pos + 2);
    }
    return errorf(ErrorCode::kInvalidArgument, "JSON syntax error: {}", msg);
  }
}

bool is_valid_utf8(std::string_view text) {
  try {
    (void)Json(std::string(text)).dump();
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

}  // namespace

Result<Json> parse_document(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (!is_valid_utf8(text)) return make_error(ErrorCode::kInvalidArgument, "configuration is not valid UTF-8");
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    auto json = parse_json(text);
    if (json) return json;
    auto yaml = parse_yaml(text);  // flow-style YAML also starts with '{'
    if (yaml) return yaml;
    return json;
  }
  return parse_yaml(text);
}

}  // namespace astacus::config

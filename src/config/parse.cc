#include "config/parse.h"

#include <openssl/evp.h>

#include "base/encoding.h"
#include "base/files.h"
#include "config/document.h"
#include "config/read_config.h"

namespace astacus::config {

namespace {

template <typename T>
void inherit(std::optional<T>& local, const std::optional<T>& global) {
  if (!local) local = global;
}

void propagate_shared_sections(GlobalConfig& config) {
  inherit(config.coordinator.object_storage, config.object_storage);
  inherit(config.node.object_storage, config.object_storage);
  inherit(config.coordinator.statsd, config.statsd);
  inherit(config.node.statsd, config.statsd);
}

Result<GlobalConfig> parse_tree(std::string_view text) {
  Json tree = ASTACUS_TRY(parse_document(text));
  if (tree.is_null()) return make_error(ErrorCode::kInvalidArgument, "empty configuration");
  if (!tree.is_object()) {
    return path_error("", "expected a mapping at the top level, got " + describe(tree));
  }
  GlobalConfig config;
  ASTACUS_CHECK(read_value(tree, "", config));
  propagate_shared_sections(config);
  return config;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), size));
}

Result<GlobalConfig> parse_config(std::string_view text, std::string_view source_name) {
  auto config = parse_tree(text);
  if (!config) {
    if (source_name.empty()) return config;
    return make_error(config.error().with_context(source_name));
  }
  config->config_hash = sha256_hex(text);
  return config;
}

Result<GlobalConfig> load_config_file(const std::filesystem::path& path) {
  std::string bytes = ASTACUS_TRY(read_file(path));
  GlobalConfig config = ASTACUS_TRY(parse_config(bytes, path.string()));
  config.source_path = path.string();
  return config;
}

}  // namespace astacus::config

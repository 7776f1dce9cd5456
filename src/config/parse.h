#pragma once
// Loading an Astacus configuration file (YAML, or JSON which is also YAML) into GlobalConfig.
//
// Contract (matches Python Astacus' pydantic models, spec §3):
//  * unknown keys, wrong types, bad enum values and missing required keys are refused;
//    every error is InvalidArgument "<file>: <dotted.key.path>: <problem>", e.g.
//    "/etc/astacus.yaml: node.rooot: unknown key", "cfg.yaml: coordinator.nodes[1].url:
//    required key missing"; syntax errors name the line; an empty file is "empty configuration";
//  * `node.root` must be an existing directory; `node.root_link`/`delta_root_link` are always
//    filled (default "<root>/.astacus");
//  * top-level `object_storage`/`statsd` are copied into `coordinator` and `node` when those
//    don't set their own, so consumers read coordinator.object_storage / node.object_storage;
//  * `coordinator.retention`, when given, replaces the default wholly (absent fields unset);
//  * unset `node.parallel` keys default to the core count clamped to [1, 8] (Python used 1);
//  * `uvicorn.log_level` may be unset (Python crashed then; we use info);
//  * `compression.algorithm` is checked against lzma|snappy|zstd, but "neither compression nor
//    encryption" is refused by the storage layer, not here.

#include <filesystem>
#include <string_view>

#include "base/result.h"
#include "config/types.h"

namespace astacus::config {

/// Reads the file's bytes, sets source_path and config_hash (sha256 hex of the bytes) and
/// parses them. A missing file is NotFound naming the path.
Result<GlobalConfig> load_config_file(const std::filesystem::path& path);

/// Parses config text; `source_name` prefixes error messages. source_path stays "" and
/// config_hash is the sha256 hex of `text`.
Result<GlobalConfig> parse_config(std::string_view text, std::string_view source_name);

/// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace astacus::config

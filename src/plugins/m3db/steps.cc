#include "plugins/m3db/steps.h"

#include <spdlog/spdlog.h>

#include "plugins/etcd/dump.h"
#include "plugins/m3db/placement.h"
#include "plugins/m3db/plugin_data.h"

namespace astacus::plugins::m3db {

namespace {

using etcd::printable_key;

bool is_partial(const coordinator::OpContext& context) {
  return !context.restore.partial_restore_nodes.empty();
}

/// Warns (does not fail) when a placement would not decode: the backup is still worth taking,
/// but restoring it to new nodes will fail.
void warn_about_undecodable_placements(const etcd::Dump& dump) {
  for (const auto& prefix : dump.prefixes) {
    for (const auto& kv : prefix.keys) {
      if (!is_placement_key(kv.key)) continue;
      if (auto summary = describe_placement(kv.value); !summary) {
        spdlog::warn("m3db: placement at etcd key '{}' does not decode ({}); a restore of this "
                     "backup will fail", printable_key(kv.key), summary.error().message);
      }
    }
  }
}

Result<std::vector<NodeReplacement>> replacements_for(const coordinator::OpContext& context,
                                                      const M3dbConfig& config,
                                                      const M3dbPluginData& data) {
  std::vector<NodeReplacement> out;
  for (size_t i = 0; i < context.node_to_backup_index.size(); ++i) {
    auto j = context.node_to_backup_index[i];
    if (!j) continue;
    if (*j >= data.placement_nodes.size()) {
      return errorf(ErrorCode::kInvalidArgument,
                    "backup {} records {} placement nodes; it has none for its node {} "
                    "(restored to node {})",
                    context.backup_name, data.placement_nodes.size(), *j, i);
    }
    if (i >= config.placement_nodes.size() || i >= context.config->nodes.size()) {
      return errorf(ErrorCode::kInternal, "node {} has no placement node (InitStep not run?)", i);
    }
    out.push_back({data.placement_nodes[*j].node_id, config.placement_nodes[i],
                   context.config->nodes[i].az});
  }
  return out;
}

}  // namespace

Status InitStep::run(coordinator::OpContext& context) {
  return check_placement_node_count(config_, context.config->nodes.size());
}

Status RetrieveEtcdStep::run(coordinator::OpContext& context) {
  auto dump = ASTACUS_TRY(etcd::read_dump(client_, prefixes_));
  for (const auto& prefix : dump.prefixes) {
    spdlog::info("m3db: etcd prefix '{}' holds {} keys", printable_key(prefix.prefix),
                 prefix.keys.size());
  }
  warn_about_undecodable_placements(dump);
  context.plugin_data["etcd"] = etcd::dump_to_json(dump);
  return ok();
}

Status RetrieveEtcdAgainStep::run(coordinator::OpContext& context) {
  auto before_json = context.plugin_data.find("etcd");
  if (before_json == context.plugin_data.end()) {
    return errorf(ErrorCode::kInternal, "RetrieveEtcdStep did not run before {}", name());
  }
  auto before = ASTACUS_TRY(etcd::dump_from_json(*before_json, "plugin_data.etcd"));
  auto now = ASTACUS_TRY(etcd::read_dump(client_, prefixes_));
  for (size_t i = 0; i < now.prefixes.size(); ++i) {
    if (i < before.prefixes.size() && before.prefixes[i] == now.prefixes[i]) continue;
    return make_error(ErrorCode::kUnavailable,
                      fmt::format("etcd state changed during backup: prefix '{}' at {} differs "
                                  "from its first read; the files may not match it, retrying",
                                  printable_key(now.prefixes[i].prefix), client_.url()),
                      /*retryable=*/true);
  }
  return ok();
}

Status CreateM3ManifestStep::run(coordinator::OpContext& context) {
  if (!context.plugin_data.contains("etcd")) {
    return errorf(ErrorCode::kInternal, "RetrieveEtcdStep did not run before {}", name());
  }
  context.plugin_data["placement_nodes"] = placement_nodes_to_json(nodes_);
  return ok();
}

Status RewriteEtcdStep::run(coordinator::OpContext& context) {
  if (is_partial(context)) {
    spdlog::info("m3db: partial restore, etcd is left as it is");
    return ok();
  }
  const auto& manifest = *context.manifest;
  if (manifest.plugin != "m3db") {
    return errorf(ErrorCode::kInvalidArgument, "backup {} was taken by plugin '{}', not m3db",
                  context.backup_name, manifest.plugin);
  }
  auto data = ASTACUS_TRY(parse_plugin_data(manifest.plugin_data, context.backup_name));
  auto replacements = ASTACUS_TRY(replacements_for(context, config_, data));
  for (auto& prefix : data.etcd.prefixes) {
    for (auto& kv : prefix.keys) {
      if (!is_placement_key(kv.key)) continue;
      auto rewritten = rewrite_placement(kv.value, replacements);
      if (!rewritten) {
        return make_error(rewritten.error().with_context(
            fmt::format("backup {}: M3 placement at etcd key '{}'", context.backup_name,
                        printable_key(kv.key))));
      }
      kv.value = std::move(*rewritten);
      for (const auto& r : replacements) {
        spdlog::info("m3db: placement '{}': instance '{}' -> '{}' (endpoint {}, hostname {})",
                     printable_key(kv.key), r.src_node_id, r.dst.node_id, r.dst.endpoint,
                     r.dst.hostname);
      }
    }
  }
  context.plugin_data["etcd"] = etcd::dump_to_json(data.etcd);
  return ok();
}

Status RestoreEtcdStep::run(coordinator::OpContext& context) {
  if (is_partial(context)) return ok();
  auto it = context.plugin_data.find("etcd");
  if (it == context.plugin_data.end()) {
    return errorf(ErrorCode::kInternal, "RewriteEtcdStep did not run before {}", name());
  }
  auto dump = ASTACUS_TRY(etcd::dump_from_json(*it, "plugin_data.etcd"));
  ASTACUS_CHECK(etcd::restore_dump(client_, dump));
  size_t keys = 0;
  for (const auto& prefix : dump.prefixes) keys += prefix.keys.size();
  spdlog::info("m3db: restored {} etcd keys under {} prefixes at {}", keys, dump.prefixes.size(),
               client_.url());
  return ok();
}

}  // namespace astacus::plugins::m3db

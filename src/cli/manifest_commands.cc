#include "cli/manifest_commands.h"

#include <CLI/CLI.hpp>
#include <sstream>

#include "base/encoding.h"
#include "base/files.h"
#include "base/paths.h"
#include "codec/blake2s.h"
#include "config/parse.h"
#include "manifest/json.h"
#include "manifest/naming.h"
#include "storage/object_store.h"

namespace astacus::cli {

namespace {

struct ManifestArgs {
  std::string config;
  std::string storage;
  std::string name;
  bool pretty = false;
  int indent = 2;
  bool files = false;
  bool hashes = false;
  std::string dest;
  std::string prefix;
  int node = 0;
};

Result<std::unique_ptr<storage::ObjectStore>> open_store(const ManifestArgs& a) {
  auto config = ASTACUS_TRY(config::load_config_file(a.config));
  if (!config.object_storage) {
    return errorf(ErrorCode::kInvalidArgument, "{}: object_storage: required key missing", a.config);
  }
  return storage::ObjectStore::open(*config.object_storage, a.storage);
}

// The named manifest; a name without "backup-" is tried with it too.
Result<std::pair<std::string, std::string>> read_manifest(storage::ObjectStore& store,
                                                          const std::string& name) {
  auto text = store.download_json(name);
  if (!text && text.error().code == ErrorCode::kNotFound && !manifest::is_backup_name(name)) {
    std::string prefixed = manifest::with_backup_prefix(name);
    text = store.download_json(prefixed);
    if (text) return std::make_pair(prefixed, std::move(*text));
  }
  if (!text) return make_error(text.error());
  return std::make_pair(name, std::move(*text));
}

Status list_manifests(storage::ObjectStore& store, Console& console) {
  auto names = ASTACUS_TRY(store.list_jsons());
  std::sort(names.begin(), names.end());
  for (const auto& n : names) console.print(n);
  return ok();
}

Status describe(storage::ObjectStore& store, const ManifestArgs& a, Console& console) {
  auto [name, text] = ASTACUS_TRY(read_manifest(store, a.name));
  auto m = ASTACUS_TRY(manifest::parse_manifest(text, name));
  console.print("Manifest: " + name);
  console.print("Plugin: " + m.plugin);
  console.print("Start: " + format_rfc3339(m.start));
  console.print("End: " + format_rfc3339(m.end));
  console.print(fmt::format("Attempts: {}", m.attempt));
  for (size_t i = 0; i < m.snapshot_results.size(); ++i) {
    const auto& r = m.snapshot_results[i];
    console.print(fmt::format("Snapshot #{} created at {} contains {} files ({} bytes)", i,
                              r.start ? format_rfc3339(*r.start) : "?", r.files, r.total_size));
  }
  for (size_t i = 0; i < m.upload_results.size(); ++i) {
    const auto& u = m.upload_results[i];
    console.print(fmt::format("Upload #{} from {} uploaded {} bytes, stored {} bytes", i, u.hostname,
                              u.total_size, u.total_stored_size));
  }
  if (m.tiered_storage_results) {
    console.print(fmt::format("Tiered storage: {} objects, {} bytes", m.tiered_storage_results->n_objects,
                              m.tiered_storage_results->total_size_bytes));
  }
  return ok();
}

Status dump(storage::ObjectStore& store, const ManifestArgs& a, Console& console) {
  auto [name, text] = ASTACUS_TRY(read_manifest(store, a.name));
  if (!a.pretty) {
    console.write(text);
    return ok();
  }
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded()) return errorf(ErrorCode::kCorruption, "manifest {} is not valid JSON", name);
  for (auto& r : j["snapshot_results"]) {
    if (!a.files && r.contains("state") && r["state"].is_object() && r["state"].contains("files")) {
      r["state"]["files"] = fmt::format("<redacted, has {} entries>", r["state"]["files"].size());
    }
    if (!a.hashes && r.contains("hashes") && r["hashes"].is_array()) {
      r["hashes"] = fmt::format("<redacted, has {} entries>", r["hashes"].size());
    }
  }
  console.print(j.dump(a.indent));
  return ok();
}

Status download_files(storage::ObjectStore& store, const ManifestArgs& a, Console& console) {
  auto [name, text] = ASTACUS_TRY(read_manifest(store, a.name));
  auto m = ASTACUS_TRY(manifest::parse_manifest(text, name));
  if (a.node < 0 || static_cast<size_t>(a.node) >= m.snapshot_results.size()) {
    return errorf(ErrorCode::kInvalidArgument, "--node {}: backup {} has {} nodes", a.node, name,
                  m.snapshot_results.size());
  }
  const auto& state = m.snapshot_results[static_cast<size_t>(a.node)].state;
  size_t written = 0;
  for (const auto& file : state ? state->files : std::vector<manifest::SnapshotFile>{}) {
    if (file.relative_path.rfind(a.prefix, 0) != 0) continue;
    std::string data;
    if (file.embedded()) {
      data = ASTACUS_TRY(base64_decode(*file.content_b64));
    } else {
      data = ASTACUS_TRY(store.download_blob(file.hexdigest));
      if (codec::blake2s_hex(data) != file.hexdigest) {
        return errorf(ErrorCode::kCorruption, "blob data/{} is corrupt (for '{}')", file.hexdigest,
                      file.relative_path);
      }
    }
    auto target = ASTACUS_TRY(confine(a.dest, file.relative_path));
    ASTACUS_CHECK(write_file_atomic(target, data));
    ++written;
  }
  console.print(fmt::format("Wrote {} files to {}", written, a.dest));
  return ok();
}

}  // namespace

int run_manifest(const std::vector<std::string>& args, Console& console) {
  CLI::App app{"Examine Astacus backup manifests", "astacus manifest"};
  ManifestArgs a;
  app.add_option("-c,--config", a.config, "Astacus config file")->required();
  app.add_option("-s,--storage", a.storage, "Storage site (default: default_storage)");
  app.require_subcommand(1);
  auto* list = app.add_subcommand("list", "List manifests in the storage");
  auto* describe_cmd = app.add_subcommand("describe", "Summarise a manifest");
  describe_cmd->add_option("name", a.name)->required();
  auto* dump_cmd = app.add_subcommand("dump", "Print a manifest");
  dump_cmd->add_option("name", a.name)->required();
  dump_cmd->add_flag("-p,--pretty", a.pretty);
  dump_cmd->add_option("-i,--indent", a.indent);
  dump_cmd->add_flag("-F,--files", a.files);
  dump_cmd->add_flag("-H,--hashes", a.hashes);
  auto* dl = app.add_subcommand("download-files", "Write one node's files of a backup to DEST");
  dl->add_option("name", a.name)->required();
  dl->add_option("dest", a.dest)->required();
  dl->add_option("--prefix", a.prefix)->required();
  dl->add_option("--node", a.node)->required();

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    if (!out.str().empty()) console.write(out.str());
    if (!err.str().empty()) console.print_error(err.str());
    return code == 0 ? 0 : 2;
  }
  auto store = open_store(a);
  if (!store) {
    console.print_error("astacus manifest: " + store.error().message);
    return 1;
  }
  Status status = ok();
  if (list->parsed()) status = list_manifests(**store, console);
  if (describe_cmd->parsed()) status = describe(**store, a, console);
  if (dump_cmd->parsed()) status = dump(**store, a, console);
  if (dl->parsed()) status = download_files(**store, a, console);
  if (!status) {
    console.print_error("astacus manifest: " + status.error().message);
    return 1;
  }
  return 0;
}

}  // namespace astacus::cli

#include "cli/list_command.h"

#include <set>

#include <fmt/format.h>

#include "base/time.h"
#include "cli/format.h"
#include "cli/request.h"
#include "cli/table.h"
#include "http/client.h"

namespace astacus::cli {
namespace {

struct BackupEntry {
  std::string name;
  std::string plugin;
  int64_t attempt = 0;
  int64_t nodes = 0;
  int64_t files = 0;
  int64_t total_size = 0;
  int64_t upload_size = 0;
  int64_t upload_stored_size = 0;
  int64_t duration_us = 0;
};

struct StorageEntry {
  std::string name;
  std::vector<BackupEntry> backups;
};

Result<BackupEntry> parse_backup(const nlohmann::json& j) {
  BackupEntry b;
  try {
    b.name = j.at("name").get<std::string>();
    b.plugin = j.at("plugin").get<std::string>();
    b.attempt = j.at("attempt").get<int64_t>();
    b.nodes = j.at("nodes").get<int64_t>();
    b.files = j.at("files").get<int64_t>();
    b.total_size = j.at("total_size").get<int64_t>();
    b.upload_size = j.at("upload_size").get<int64_t>();
    b.upload_stored_size = j.at("upload_stored_size").get<int64_t>();
    auto start = ASTACUS_TRY(parse_rfc3339(j.at("start").get<std::string>()));
    auto end = ASTACUS_TRY(parse_rfc3339(j.at("end").get<std::string>()));
    b.duration_us = (end - start).count();
  } catch (const nlohmann::json::exception& e) {
    return errorf(ErrorCode::kInvalidArgument, "invalid backup entry in list answer: {}", e.what());
  }
  return b;
}

Result<std::vector<StorageEntry>> parse_list(const nlohmann::json& j) {
  std::vector<StorageEntry> out;
  try {
    for (const auto& s : j.at("storages")) {
      StorageEntry storage{s.at("storage_name").get<std::string>(), {}};
      for (const auto& b : s.at("backups")) storage.backups.push_back(ASTACUS_TRY(parse_backup(b)));
      out.push_back(std::move(storage));
    }
  } catch (const nlohmann::json::exception& e) {
    return errorf(ErrorCode::kInvalidArgument, "invalid list answer: {}", e.what());
  }
  return out;
}

// Plugin, Att and Nodes: a global column when every backup shares the value, a per-row column
// when they differ, nowhere without backups.
struct SharedField {
  const char* header;
  Cell (*cell)(const BackupEntry&);
};
const SharedField kSharedFields[] = {
    {"Plugin", [](const BackupEntry& b) { return Cell::string(b.plugin); }},
    {"Att", [](const BackupEntry& b) { return Cell::number(b.attempt); }},
    {"Nodes", [](const BackupEntry& b) { return Cell::number(b.nodes); }},
};

std::string render_storage(const StorageEntry& storage) {
  Table global{{"Storage"}, {{Cell::string(storage.name)}}};
  std::vector<const SharedField*> local;
  for (const auto& field : kSharedFields) {
    std::set<std::string> values;
    for (const auto& b : storage.backups) values.insert(field.cell(b).text);
    if (values.size() == 1) {
      global.headers.push_back(field.header);
      global.rows[0].push_back(field.cell(storage.backups.front()));
    } else if (values.size() > 1) {
      local.push_back(&field);
    }
  }
  Table rows;
  int64_t total = 0, uploaded = 0, stored = 0;
  for (const auto& b : storage.backups) {
    std::vector<Cell> row{Cell::string(b.name), Cell::string(format_duration(b.duration_us)),
                          Cell::number(b.files), Cell::string(format_size(b.total_size))};
    for (const auto* field : local) row.push_back(field->cell(b));
    rows.rows.push_back(std::move(row));
    total += b.total_size;
    uploaded += b.upload_size;
    stored += b.upload_stored_size;
  }
  if (total) {
    global.headers.push_back("% change");
    global.rows[0].push_back(Cell::string(format_percent(100.0 * uploaded / total)));
  }
  if (uploaded) {
    global.headers.push_back("Comp %");
    global.rows[0].push_back(Cell::string(format_percent(100.0 - 100.0 * stored / uploaded)));
  }
  if (storage.backups.empty()) {
    // tabulate falls back to the header dict's keys when there are no rows.
    rows.headers = {"name", "duration", "files", "total_size"};
  } else {
    rows.headers = {"Name", "Duration", "Files", "Size"};
    for (const auto* field : local) rows.headers.push_back(field->header);
  }
  return render_github_table(global) + "\n\n" + render_github_table(rows) + "\n";
}

}  // namespace

ListRequest list_request(const std::string& endpoint, const std::optional<std::string>& storage) {
  if (!storage) return {endpoint, std::nullopt};
  return {endpoint + "?storage=" + http::url_encode(*storage), nlohmann::json(*storage).dump()};
}

Result<std::string> render_list(const nlohmann::json& list_response) {
  auto storages = ASTACUS_TRY(parse_list(list_response));
  std::string out;
  for (size_t i = 0; i < storages.size(); ++i) {
    if (i) out += "\n";
    out += render_storage(storages[i]);
  }
  return out;
}

int run_list(Context& ctx, const std::string& endpoint, const std::optional<std::string>& storage,
             bool raw_json) {
  auto request = list_request(endpoint, storage);
  std::string caller = endpoint == "list" ? "client._run_list" : "client._run_delta_list";
  auto answer = request_json(ctx, "get", ctx.url + "/" + request.path, caller, {request.body});
  if (!answer) return 1;
  if (raw_json) {
    ctx.console->print(answer->json.dump());
    return 0;
  }
  auto text = render_list(answer->json);
  if (!text) {
    ctx.console->warning(fmt::format("Unexpected response from {}/{} to {}: {}", ctx.url,
                                     request.path, caller, text.error().to_string()));
    return 1;
  }
  ctx.console->write(*text);
  return 0;
}

}  // namespace astacus::cli

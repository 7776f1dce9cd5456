#pragma once
// `list` / `delta list`: GET <url>/list (or delta/list) and print Python's
// `client.print_list_result` tables. The storage filter is sent both as ?storage=S and as a JSON
// string body, so old (body-reading) and fixed (query-reading) servers both honour it.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "cli/context.h"

namespace astacus::cli {

struct ListRequest {
  std::string path;                 // "list?storage=S" (query only when a storage is given)
  std::optional<std::string> body;  // "\"S\"" when a storage is given
};

/// `endpoint` is "list" or "delta/list".
ListRequest list_request(const std::string& endpoint, const std::optional<std::string>& storage);

/// The whole stdout of Python's `astacus list` for a ListResponse (§2.4): per storage a global
/// table (Storage, then Plugin/Att/Nodes when shared by all backups, % change, Comp %), a blank
/// line and the backup table (Name, Duration, Files, Size, then Plugin/Att/Nodes when they
/// differ); storages separated by a blank line. InvalidArgument if the JSON lacks a field.
Result<std::string> render_list(const nlohmann::json& list_response);

/// Runs the command; `raw_json` prints the answer's JSON instead of tables. Exit code.
int run_list(Context& ctx, const std::string& endpoint, const std::optional<std::string>& storage,
             bool raw_json);

}  // namespace astacus::cli

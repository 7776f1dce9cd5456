#pragma once
// A saved copy of some etcd prefixes, as backed up into a manifest's plugin_data and written back
// on restore (spec §10.2, Python `plugins/etcd.py`). JSON (Python's ETCDDump, keys in etcd order):
//   {"prefixes": [{"prefix_b64": "...", "keys": [{"key_b64": "...", "value_b64": "..."}]}]}
//
// Unlike Python Astacus (spec §13 item 18), an empty prefix is a valid dump with no keys.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "plugins/etcd/client.h"

namespace astacus::plugins::etcd {

struct PrefixDump {
  std::string prefix;
  std::vector<KeyValue> keys;  // every key starting with prefix, in key order
  bool operator==(const PrefixDump&) const = default;
};

struct Dump {
  std::vector<PrefixDump> prefixes;
  bool operator==(const Dump&) const = default;
};

/// Reads every prefix (one consistent view per prefix). Errors are the client's.
Result<Dump> read_dump(const Client& client, const std::vector<std::string>& prefixes);

/// For each prefix: deletes every key under it, then puts every saved key. Not atomic: a failure
/// midway leaves that prefix partly written; running it again restores it fully.
Status restore_dump(const Client& client, const Dump& dump);

nlohmann::ordered_json dump_to_json(const Dump& dump);
/// InvalidArgument naming `where` and the field ("<where>.prefixes[0].keys[3].key_b64: ...").
Result<Dump> dump_from_json(const nlohmann::ordered_json& json, std::string_view where);

}  // namespace astacus::plugins::etcd

#include "node/requests.h"

#include "http/server.h"

namespace astacus::node {

namespace {

using nlohmann::json;

// Reads typed fields from a JSON object, collecting 422 items with the body location.
class FieldReader {
 public:
  FieldReader(const json& body, ValidationItems& items) : body_(body), items_(items) {
    if (!body_.is_object()) {
      items_.push_back(http::validation_item({"body"}, "value is not a valid dict",
                                             "type_error.dict"));
    }
  }

  const json* field(const char* name, bool required) {
    if (!body_.is_object()) return nullptr;
    auto it = body_.find(name);
    if (it == body_.end() || (it->is_null() && required)) {
      if (required) {
        items_.push_back(
            http::validation_item({"body", name}, "field required", "value_error.missing"));
      }
      return nullptr;
    }
    if (it->is_null()) return nullptr;
    return &*it;
  }

  void bad(const std::vector<json>& loc, const char* msg, const char* type) {
    std::vector<json> full = {"body"};
    full.insert(full.end(), loc.begin(), loc.end());
    items_.push_back(http::validation_item(full, msg, type));
  }

  void string(const char* name, bool required, std::string& out) {
    if (const json* v = field(name, required)) {
      if (v->is_string()) out = v->get<std::string>();
      else bad({name}, "str type expected", "type_error.str");
    }
  }

  void optional_string(const char* name, std::optional<std::string>& out) {
    std::string value;
    if (const json* v = field(name, false)) {
      if (v->is_string()) out = v->get<std::string>();
      else bad({name}, "str type expected", "type_error.str");
    }
  }

  void string_list(const char* name, bool required, std::vector<std::string>& out) {
    const json* v = field(name, required);
    if (!v) return;
    if (!v->is_array()) return bad({name}, "value is not a valid list", "type_error.list");
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) return bad({name, i}, "str type expected", "type_error.str");
      out.push_back((*v)[i].get<std::string>());
    }
  }

  void integer(const char* name, bool required, int64_t& out) {
    if (const json* v = field(name, required)) {
      if (v->is_number_integer()) out = v->get<int64_t>();
      else bad({name}, "value is not a valid integer", "type_error.integer");
    }
  }

  void boolean(const char* name, bool& out) {
    if (const json* v = field(name, false)) {
      if (v->is_boolean()) out = v->get<bool>();
      else bad({name}, "value could not be parsed to a boolean", "type_error.bool");
    }
  }

 private:
  const json& body_;
  ValidationItems& items_;
};

void parse_group(const json& g, size_t i, FieldReader& reader, snapshot::SnapshotGroup& out) {
  if (!g.is_object() || !g.contains("root_glob") || !g["root_glob"].is_string()) {
    reader.bad({"groups", i, "root_glob"}, "field required", "value_error.missing");
    return;
  }
  out.root_glob = g["root_glob"].get<std::string>();
  if (g.contains("excluded_names") && g["excluded_names"].is_array()) {
    for (const auto& n : g["excluded_names"]) {
      if (n.is_string()) out.excluded_names.push_back(n.get<std::string>());
    }
  }
  if (g.contains("embedded_file_size_max")) {
    const auto& m = g["embedded_file_size_max"];
    if (m.is_null()) out.embedded_file_size_max = std::nullopt;
    else if (m.is_number_integer()) out.embedded_file_size_max = m.get<int64_t>();
    else reader.bad({"groups", i, "embedded_file_size_max"}, "value is not a valid integer",
                    "type_error.integer");
  }
}

}  // namespace

ValidationItems parse_request(const json& body, SnapshotRequest& out) {
  ValidationItems items;
  FieldReader reader(body, items);
  if (const json* groups = reader.field("groups", true)) {
    if (!groups->is_array()) {
      reader.bad({"groups"}, "value is not a valid list", "type_error.list");
    } else {
      for (size_t i = 0; i < groups->size(); ++i) {
        snapshot::SnapshotGroup group;
        parse_group((*groups)[i], i, reader, group);
        out.groups.push_back(std::move(group));
      }
    }
  }
  reader.optional_string("result_url", out.result_url);
  reader.optional_string("store_small_blobs_to", out.store_small_blobs_to);
  return items;
}

namespace {

std::optional<manifest::SnapshotHash> upload_hash(const json& h) {
  if (!h.is_object() || !h.contains("hexdigest") || !h["hexdigest"].is_string() ||
      !h.contains("size") || !h["size"].is_number_integer()) {
    return std::nullopt;
  }
  return manifest::SnapshotHash{h["hexdigest"].get<std::string>(), h["size"].get<int64_t>()};
}

nlohmann::ordered_json bad_upload_hash(size_t index) {
  return http::validation_item({"body", "hashes", index}, "expected {hexdigest: str, size: int}",
                               "type_error");
}

}  // namespace

ValidationItems parse_request(const json& body, UploadRequest& out) {
  ValidationItems items;
  FieldReader reader(body, items);
  if (const json* hashes = reader.field("hashes", true)) {
    if (!hashes->is_array()) {
      reader.bad({"hashes"}, "value is not a valid list", "type_error.list");
    } else {
      for (size_t i = 0; i < hashes->size(); ++i) {
        auto h = upload_hash((*hashes)[i]);
        if (!h) {
          reader.bad({"hashes", i}, "expected {hexdigest: str, size: int}", "type_error");
          continue;
        }
        out.hashes.push_back(std::move(*h));
      }
    }
  }
  reader.string("storage", true, out.storage);
  reader.boolean("validate_file_hashes", out.validate_file_hashes);
  reader.optional_string("result_url", out.result_url);
  return items;
}

nlohmann::json::parser_callback_t UploadHashCollector::callback() {
  return [this](int depth, json::parse_event_t event, json& parsed) {
    using E = json::parse_event_t;
    if (depth == 1 && event == E::key) {
      in_hashes_key_ = parsed == "hashes";
    } else if (depth == 1 && event == E::array_start) {
      in_hashes_ = in_hashes_key_;
    } else if (depth == 1 && event == E::array_end) {
      in_hashes_ = false;
    } else if (in_hashes_ && depth == 2 && (event == E::object_end || event == E::array_end ||
                                            event == E::value)) {
      // One complete element: convert it and keep it out of the DOM.
      if (auto h = upload_hash(parsed)) {
        hashes_.push_back(std::move(*h));
      } else {
        problems_.push_back(bad_upload_hash(index_));
      }
      ++index_;
      return false;
    }
    return true;
  };
}

void UploadHashCollector::finish(UploadRequest& out, ValidationItems& items) {
  out.hashes.insert(out.hashes.end(), std::make_move_iterator(hashes_.begin()),
                    std::make_move_iterator(hashes_.end()));
  items.insert(items.begin(), problems_.begin(), problems_.end());
}

ValidationItems parse_request(const json& body, ReleaseRequest& out) {
  ValidationItems items;
  FieldReader reader(body, items);
  reader.string_list("hexdigests", true, out.hexdigests);
  reader.optional_string("result_url", out.result_url);
  return items;
}

ValidationItems parse_request(const json& body, DownloadRequest& out) {
  ValidationItems items;
  FieldReader reader(body, items);
  reader.string("storage", true, out.storage);
  reader.string("backup_name", true, out.backup_name);
  reader.integer("snapshot_index", true, out.snapshot_index);
  reader.string_list("root_globs", true, out.root_globs);
  reader.optional_string("result_url", out.result_url);
  return items;
}

ValidationItems parse_request(const json& body, ClearRequest& out) {
  ValidationItems items;
  FieldReader reader(body, items);
  reader.string_list("root_globs", true, out.root_globs);
  reader.optional_string("result_url", out.result_url);
  return items;
}

std::vector<snapshot::SnapshotGroup> groups_from_globs(const std::vector<std::string>& globs) {
  std::vector<snapshot::SnapshotGroup> groups;
  for (const auto& glob : globs) {
    snapshot::SnapshotGroup group;
    group.root_glob = glob;
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace astacus::node

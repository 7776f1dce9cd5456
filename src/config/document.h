#pragma once
// Text → JSON tree: the generic first step of config loading. YAML (PyYAML-compatible scalar
// resolution: null/~, true/false/yes/no/on/off, ints incl. 0x/0o-style octal, floats with a dot;
// quoted scalars stay strings; `<<` merge keys) and JSON (text starting with '{' is tried with a
// JSON parser first, then as YAML). Type checking against the schema happens later, per field.

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace astacus::config {

/// Parses one YAML or JSON document. An empty document (or only comments) yields a JSON null.
/// Errors (InvalidArgument) name the line and column, without a file name.
Result<nlohmann::json> parse_document(std::string_view text);

}  // namespace astacus::config

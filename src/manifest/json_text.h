#pragma once
// Direct JSON text writers for the manifest types: the same bytes as
// dump_compact(nlohmann::ordered_json(value)) (json.h), without building a DOM. A DOM costs
// ~1 KB per snapshot file; a node result or manifest of a million files would otherwise need
// gigabytes just to be printed. Tests check byte equality with the DOM path.

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "manifest/types.h"

namespace astacus::manifest {

/// Appends `s` as a JSON string literal (nlohmann's escaping; invalid UTF-8 becomes U+FFFD).
void append_json_string(std::string& out, std::string_view s);

void append_json(std::string& out, const Progress& v);
void append_json(std::string& out, const SnapshotFile& v);
void append_json(std::string& out, const SnapshotHash& v);
void append_json(std::string& out, const SnapshotState& v);
void append_json(std::string& out, const SnapshotResult& v);
void append_json(std::string& out, const SnapshotUploadResult& v);
void append_json(std::string& out, const BackupManifest& v);

/// Receives a text piece by piece (write_manifest).
using TextSink = std::function<Status(std::string_view)>;

/// serialize_manifest()'s bytes, handed to `sink` in pieces of about `chunk` bytes (a piece
/// ends after a whole list element), so the text of a million-file manifest (~200 MB) never
/// exists whole. Stops at, and returns, the first error of `sink`.
Status write_manifest(const BackupManifest& manifest, const TextSink& sink, size_t chunk = 1 << 20);

/// The members of a SnapshotResult before hostname/az/progress ("start" ... "hashes"), without
/// braces: what a node's snapshot op puts in front of its own hostname, az and progress.
void append_snapshot_result_members(std::string& out, const SnapshotResult& v);

}  // namespace astacus::manifest

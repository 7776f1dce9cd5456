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

/// File lists kept outside the manifest object as the JSON text of a state.files array (the
/// backup coordinator keeps each node's compressed until the manifest is written).
class FileListTexts {
 public:
  virtual ~FileListTexts() = default;
  /// Whether snapshot result `index` has its file list here.
  virtual bool has(size_t index) const = 0;
  /// Hands that list's text ("[...]") to `sink`, in pieces.
  virtual Status write(size_t index, const TextSink& sink) const = 0;
};

/// serialize_manifest()'s bytes, handed to `sink` in pieces of about `chunk` bytes (a piece
/// ends after a whole list element), so the text of a million-file manifest (~200 MB) never
/// exists whole. Stops at, and returns, the first error of `sink`. With `lists`, a result whose
/// state is present with no files but whose list `lists` has gets that list's text as its
/// state.files.
Status write_manifest(const BackupManifest& manifest, const TextSink& sink, size_t chunk = 1 << 20,
                      const FileListTexts* lists = nullptr);

/// The members of a SnapshotResult before hostname/az/progress ("start" ... "hashes"), without
/// braces: what a node's snapshot op puts in front of its own hostname, az and progress.
void append_snapshot_result_members(std::string& out, const SnapshotResult& v);
/// The same text handed to `sink` in pieces of about `chunk` bytes, never whole.
Status write_snapshot_result_members(const SnapshotResult& v, const TextSink& sink, size_t chunk = 64 << 10);
/// The same, with "hashes" made from the state's files as a node reports them (one per file that
/// is not embedded, in file order) instead of from `v.hashes`, which may be unset: a node's
/// snapshot need not hold a second list of every file while it writes its answer.
Status write_snapshot_result_members_hashing_files(const SnapshotResult& v, const TextSink& sink,
                                                   size_t chunk = 64 << 10);

}  // namespace astacus::manifest

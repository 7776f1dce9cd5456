#pragma once
// Internal to the manifest layer: parses JSON text into a skeleton DOM while converting the
// elements of the big arrays (a snapshot result's state.files and hashes) straight into
// SnapshotFile / SnapshotHash, one element at a time. The DOM of a million-file manifest
// would need ~1 KB per file; the skeleton keeps those arrays empty and the parser hands the
// converted vectors back for the caller to put in place.

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "manifest/types.h"

namespace astacus::manifest::detail {

/// What the text is: one SnapshotResult (a node's answer) or a whole BackupManifest.
enum class StreamShape { kSnapshotResult, kManifest };

struct StreamedArrays {
  std::vector<SnapshotFile> files;
  std::vector<SnapshotHash> hashes;
};

/// Which converted big arrays parse_streamed hands back; a list not kept is still converted
/// (and so checked) element by element, then dropped.
struct KeepLists {
  bool files = true;
  bool hashes = true;
};

/// Sees each file entry as it is converted (snapshot result index, entry), before a list not
/// kept drops it.
using FileVisitor = std::function<void(size_t, const SnapshotFile&)>;

struct StreamedJson {
  nlohmann::ordered_json skeleton;            // the document with the big arrays left empty
  std::vector<StreamedArrays> results;        // by snapshot result index
  std::optional<Error> element_error;         // first element that failed to convert
};

/// Parses `text`. A syntax error is InvalidArgument "invalid JSON: ...". An element that
/// fails validation does not stop the parse: it lands in element_error (so that callers can
/// check format_version first), and later elements are not converted. With `only_result`,
/// the big arrays of other snapshot results are skipped.
Result<StreamedJson> parse_streamed(std::string_view text, StreamShape shape,
                                    std::string_view path_prefix = "",
                                    std::optional<size_t> only_result = std::nullopt,
                                    KeepLists keep = {}, const FileVisitor* on_file = nullptr);

/// Moves the streamed arrays of `arrays` into `result` (files into state, hashes when set).
void put_streamed(StreamedArrays& arrays, SnapshotResult& result);

/// One snapshot result's text read as parse_snapshot_result_text does (`path` prefixes errors),
/// keeping the lists `keep` names and showing each file entry to `on_file` (index 0).
Result<SnapshotResult> read_snapshot_result_element(std::string_view text, std::string_view path, KeepLists keep,
                                                    const FileVisitor* on_file = nullptr);

}  // namespace astacus::manifest::detail

#pragma once
// The backup coordinator's copy of each node's file list, from the node's snapshot answer until
// the manifest is written: the JSON text of the node's state.files, zstd-compressed, copied into
// the manifest as it is. Parsed, a file entry costs ~200 bytes here; compressed text ~50. Every
// entry is still checked when the answer is read; only the hashes stay parsed (the upload plan
// and the pre-manifest check need them).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "manifest/json_text.h"
#include "manifest/types.h"

namespace astacus::coordinator {

class NodeFileLists final : public manifest::FileListTexts {
 public:
  explicit NodeFileLists(size_t nodes = 0) : compressed_(nodes), text_sizes_(nodes) {}

  /// Reads node `index`'s snapshot answer (every field and entry checked, errors prefixed with
  /// `path`) and returns it with state.files empty, the list kept here. A text whose list cannot
  /// be cut out by its brackets (no list, a repeated key) comes back whole, with nothing kept.
  /// Nodes may be read from different threads.
  Result<manifest::SnapshotResult> read(size_t index, std::string_view result_text,
                                        std::string_view path = "");

  bool has(size_t index) const override;
  Status write(size_t index, const manifest::TextSink& sink) const override;

  /// The length of node `index`'s list text (0 when none is kept).
  uint64_t text_size(size_t index) const;
  size_t compressed_bytes() const;
  /// What the kept lists occupy (their strings' capacity).
  size_t allocated_bytes() const;

 private:
  std::vector<std::optional<std::string>> compressed_;  // by node index
  std::vector<uint64_t> text_sizes_;                     // by node index
};

}  // namespace astacus::coordinator

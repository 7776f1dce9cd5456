#pragma once
// The backup coordinator's copy of each node's file list, from the node's snapshot answer until
// the manifest is written: the JSON text of the node's state.files, zstd-compressed, copied into
// the manifest as it is. Parsed, a file entry costs ~200 bytes here; compressed text ~50. Every
// entry is still checked when the answer is read; only the hashes stay parsed (the upload plan
// and the pre-manifest check need them).
//
// An answer is read as it arrives (reader(): a NodeAnswerStream for Cluster::run_node_op), so
// its text is never held whole; read() takes a whole text, for answers the stream left to the
// whole-text parser.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "codec/compressed_text.h"
#include "coordinator/cluster.h"
#include "manifest/json_text.h"
#include "manifest/types.h"

namespace astacus::coordinator {

class NodeFileLists final : public manifest::FileListTexts {
 public:
  /// Reads one node's snapshot answer as it arrives: every entry checked as read() checks it,
  /// the hashes kept, the file list compressed as it comes.
  class AnswerReader;

  explicit NodeFileLists(size_t nodes = 0) : lists_(nodes) {}

  /// Reads node `index`'s snapshot answer (every field and entry checked, errors prefixed with
  /// `path`) and returns it with state.files empty, the list kept here. A text whose list cannot
  /// be cut out by its brackets (no list, a repeated key) comes back whole, with nothing kept.
  /// Nodes may be read from different threads.
  Result<manifest::SnapshotResult> read(size_t index, std::string_view result_text,
                                        std::string_view path = "");

  /// A reader for one poll of a node's answer.
  static std::shared_ptr<AnswerReader> reader();
  /// Takes what `reader` read (its finish() gave a skeleton) for node `index`: keeps its list
  /// and returns its result, state.files empty.
  Result<manifest::SnapshotResult> take(size_t index, AnswerReader& reader);

  bool has(size_t index) const override;
  Status write(size_t index, const manifest::TextSink& sink) const override;

  /// The length of node `index`'s list text (0 when none is kept).
  uint64_t text_size(size_t index) const;
  size_t compressed_bytes() const;
  /// What the kept lists occupy (their strings' capacity).
  size_t allocated_bytes() const;

 private:
  Status keep(size_t index, codec::CompressedText list);

  std::vector<std::optional<codec::CompressedText>> lists_;  // by node index
};

class NodeFileLists::AnswerReader final : public NodeAnswerStream {
 public:
  AnswerReader();
  ~AnswerReader() override;

  Status write(std::string_view bytes) override;
  Result<std::optional<std::string>> finish() override;

 private:
  friend class NodeFileLists;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace astacus::coordinator

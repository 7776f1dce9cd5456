#pragma once
// Reads a node's snapshot answer (the /snapshot status body) as it streams in, so that a
// coordinator never holds the answer's text (~200 bytes per file). Each entry of state.files
// and hashes is checked as it arrives, exactly as parse_snapshot_result_text checks it; the
// hashes are kept, the file entries' text is handed on (the coordinator keeps the list as
// compressed text), and the rest, small, is parsed at the end.
//
// It reads the common case only. Anything it could not decide exactly as the whole-text parser
// does (an unexpected shape, an entry or a field that fails a check, a cut-off text) ends in
// finish() returning nullopt; the caller then reads the whole text with
// parse_snapshot_result_text, for its result or its error.
//
// Thread-safety: none (one reader owns it).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "manifest/json_split.h"
#include "manifest/types.h"

namespace astacus::manifest {

namespace detail {
struct FlatMember;
}

class SnapshotAnswerStream {
 public:
  /// Gets the text of state.files as it is read, in pieces: "[", the entries separated by ",",
  /// then "]" from finish(). Nothing when the answer has no state.files.
  using ListSink = std::function<Status(std::string_view)>;

  /// `path` prefixes field paths, as in parse_snapshot_result_text.
  explicit SnapshotAnswerStream(ListSink on_list_text, std::string path = "");
  ~SnapshotAnswerStream();
  SnapshotAnswerStream(const SnapshotAnswerStream&) = delete;
  SnapshotAnswerStream& operator=(const SnapshotAnswerStream&) = delete;

  /// Takes the next bytes of the answer. Errors come only from the sink.
  Status write(std::string_view bytes);
  /// After the last bytes: the result with state.files empty (its text went to the sink) and
  /// the hashes kept, when every part was read and checked; nullopt otherwise (see above).
  /// Errors come only from the sink.
  Result<std::optional<SnapshotResult>> finish();

  /// The answer's text without the entries of its two lists (valid after finish()).
  const std::string& skeleton() const { return splitter_.skeleton(); }
  /// Whether the sink got a whole list (after finish() returned a result; an answer whose state
  /// has no "files" has none).
  bool has_list() const { return list_done_; }
  /// Bytes the sink got.
  uint64_t list_text_size() const { return list_text_size_; }

 private:
  Status on_element(size_t array, size_t index, std::string_view text);
  Status to_sink(std::string_view text);

  ListSink on_list_text_;
  std::string path_;
  ArraySplitter splitter_;
  // The hashes in blocks of fixed size, moved into one exact vector at the end: a vector
  // grown by doubling holds up to twice its entries, three times while it moves.
  std::vector<std::vector<SnapshotHash>> hash_blocks_;
  size_t hash_count_ = 0;
  std::vector<detail::FlatMember> members_;  // reused from entry to entry
  bool failed_ = false;                      // an entry did not convert
  bool list_done_ = false;
  uint64_t list_text_size_ = 0;
};

}  // namespace astacus::manifest

#pragma once
// Splits a manifest's text, as it streams in, into its snapshot results (one per node, each
// handed on as soon as its closing brace arrives) and the rest (the skeleton, kept, with
// "snapshot_results":[] in place of the list). A reader then holds one node's text at a time
// instead of the whole manifest: for a million-file manifest ~250 MB less at its peak.
//
// Like json_skim.h it looks only at brackets, strings and escapes: the real parser still reads
// every kept byte. Anything unexpected (a top level that is not an object, the list twice or not
// a list, an element that is not an object, a key with an escape, text after the end, a cut-off
// text) makes the splitter give up; callers then read the whole text with the whole-text parser,
// so malformed manifests get the same error either way.
//
// Thread-safety: none (one reader owns it).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace astacus::manifest {

class ResultSplitter {
 public:
  /// Called with each element of snapshot_results (its index and exact text); an error stops
  /// the split and comes back from write().
  using OnResult = std::function<Status(size_t index, std::string_view text)>;

  explicit ResultSplitter(OnResult on_result) : on_result_(std::move(on_result)) {}

  /// Takes the next bytes of the text, in any pieces.
  Status write(std::string_view bytes);
  /// Whether the whole text was structurally sound and shaped as expected. Only then is
  /// skeleton() meaningful.
  bool finish();
  bool gave_up() const { return state_ == State::kGaveUp; }
  /// The text without the elements of snapshot_results.
  const std::string& skeleton() const { return skeleton_; }
  size_t results() const { return results_; }

 private:
  enum class State {
    kBeforeTop,     // leading whitespace
    kTop,           // inside the top-level object (depth counts nested values)
    kBeforeList,    // after "snapshot_results":, before its '['
    kInList,        // between elements of the list
    kInResult,      // inside one element
    kAfterTop,      // trailing whitespace
    kGaveUp,
  };

  void give_up() { state_ = State::kGaveUp; }
  Status stop() {  // gives up; write() still succeeds, the caller sees gave_up()
    give_up();
    return ok();
  }
  void top_byte(char c);
  /// Tracks strings and brackets of a value; returns the depth change (+1 open, -1 close).
  int structure_byte(char c);
  Status result_byte(char c);

  OnResult on_result_;
  State state_ = State::kBeforeTop;
  std::string skeleton_;
  std::string result_;  // the element being read (reused: its capacity is the largest element)
  size_t results_ = 0;
  int depth_ = 0;        // nesting inside the top-level object (kTop) or the element (kInResult)
  bool in_string_ = false;
  bool escaped_ = false;
  // Keys of the top-level object: only members at depth 0 matter.
  bool expect_key_ = true;
  bool in_key_ = false;
  std::string key_;
  bool value_of_list_key_ = false;  // the key just read is "snapshot_results"
  bool list_seen_ = false;
  bool after_element_ = false;  // in the list: an element was read since '[' or ','
};

}  // namespace astacus::manifest

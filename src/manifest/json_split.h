#pragma once
// Splits JSON text, as it streams in, into the elements of chosen arrays (each handed on as
// soon as its closing brace arrives) and the rest (the skeleton, kept, with "[]" in place of
// each chosen array). A reader then holds one element at a time instead of the whole text:
// for a million-file manifest ~250 MB less at its peak, for a node's snapshot answer ~200
// bytes per file.
//
// Like json_skim.h it looks only at brackets, strings and escapes: the real parser still reads
// every kept byte. Anything unexpected (a top level that is not an object, a key on the way to
// a chosen array repeated or with an escape, an element that is not an object, text after the
// end, a cut-off text) makes the splitter give up, and callers read the whole text with the
// whole-text parser, so malformed input gets the same error either way. A chosen member that is
// not an array (null, say) is not split: it stays in the skeleton, whose parser judges it.
//
// Thread-safety: none (one reader owns it).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace astacus::manifest {

class ArraySplitter {
 public:
  /// Object keys from the top level down to an array, e.g. {"state", "files"}.
  using Path = std::vector<std::string>;
  /// Called with each element of a chosen array (the path's index in the list given, the
  /// element's index, its exact text); an error stops the split and comes back from write().
  using OnElement = std::function<Status(size_t array, size_t index, std::string_view text)>;

  ArraySplitter(std::vector<Path> arrays, OnElement on_element);

  /// Takes the next bytes of the text, in any pieces.
  Status write(std::string_view bytes);
  /// Whether the whole text was structurally sound and shaped as expected. Only then is
  /// skeleton() meaningful.
  bool finish() const;
  bool gave_up() const { return state_ == State::kGaveUp; }
  /// The text without the elements of the chosen arrays.
  const std::string& skeleton() const { return skeleton_; }
  /// How many elements array `array` had (0 when absent).
  size_t elements(size_t array) const { return counts_[array]; }
  /// Whether array `array` was there.
  bool seen(size_t array) const { return seen_[array]; }

 private:
  enum class State {
    kBeforeTop,    // leading whitespace
    kObject,       // inside an object on the way to a chosen array (depth_ counts nested values)
    kBeforeValue,  // after the ':' of a key on the way to a chosen array, before its value
    kInArray,      // between elements of a chosen array
    kInElement,    // inside one element
    kAfterTop,     // trailing whitespace
    kGaveUp,
  };
  enum class Match { kNone, kPrefix, kArray };

  /// An object on the way to a chosen array; frames_[0] is the top level.
  struct Frame {
    bool expect_key = true;
    std::vector<std::string> seen;  // its keys that lead to a chosen array
  };

  void give_up() { state_ = State::kGaveUp; }
  Status stop() {  // gives up; write() still succeeds, the caller sees gave_up()
    give_up();
    return ok();
  }
  void object_byte(char c);
  void key_ended();
  void value_byte(char c);
  void array_byte(char c);
  /// Tracks strings and brackets of a value; returns the depth change (+1 open, -1 close).
  int structure_byte(char c);
  Status element_byte(char c);

  std::vector<Path> arrays_;
  OnElement on_element_;
  std::vector<size_t> counts_;  // elements read, by array
  std::vector<bool> seen_;      // by array
  State state_ = State::kBeforeTop;
  std::string skeleton_;
  std::string element_;  // the element being read (reused: its capacity is the largest element)
  std::vector<Frame> frames_;
  Path keys_;            // the keys from the top level to the innermost frame
  int depth_ = 0;        // nesting inside a nested value (kObject) or the element (kInElement)
  bool in_string_ = false;
  bool escaped_ = false;
  bool in_key_ = false;
  std::string key_;
  Match match_ = Match::kNone;  // what the key just read leads to
  size_t array_ = 0;            // with kArray: which chosen array
  bool after_element_ = false;  // in an array: an element was read since '[' or ','
};

/// The manifest's "snapshot_results", one node's result at a time.
class ResultSplitter {
 public:
  /// Called with each element of snapshot_results (its index and exact text).
  using OnResult = std::function<Status(size_t index, std::string_view text)>;

  explicit ResultSplitter(OnResult on_result)
      : splitter_({{"snapshot_results"}},
                  [on_result = std::move(on_result)](size_t, size_t index, std::string_view text) {
                    return on_result(index, text);
                  }) {}

  Status write(std::string_view bytes) { return splitter_.write(bytes); }
  bool finish() const { return splitter_.finish(); }
  bool gave_up() const { return splitter_.gave_up(); }
  const std::string& skeleton() const { return splitter_.skeleton(); }
  size_t results() const { return splitter_.elements(0); }

 private:
  ArraySplitter splitter_;
};

}  // namespace astacus::manifest

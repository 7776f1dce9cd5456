#include "manifest/json_split.h"

#include <algorithm>
#include <array>

namespace astacus::manifest {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes that change the structure state: everything else is copied in runs.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("\"\\{}[]")) t[c] = true;
  return t;
}();

}  // namespace

ArraySplitter::ArraySplitter(std::vector<Path> arrays, OnElement on_element)
    : arrays_(std::move(arrays)), on_element_(std::move(on_element)), counts_(arrays_.size(), 0), seen_(arrays_.size(), false) {}

int ArraySplitter::structure_byte(char c) {
  if (in_string_) {
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
    }
    return 0;
  }
  switch (c) {
    case '"':
      in_string_ = true;
      return 0;
    case '{':
    case '[':
      return 1;
    case '}':
    case ']':
      return -1;
    default:
      return 0;
  }
}

/// Decides what the member whose key was just read leads to.
void ArraySplitter::key_ended() {
  match_ = Match::kNone;
  const size_t level = keys_.size();
  for (size_t a = 0; a < arrays_.size(); ++a) {
    const Path& path = arrays_[a];
    if (path.size() <= level || path[level] != key_ || !std::equal(keys_.begin(), keys_.end(), path.begin())) {
      continue;
    }
    if (path.size() == level + 1) {
      match_ = Match::kArray;
      array_ = a;
      return;
    }
    match_ = Match::kPrefix;
  }
}

void ArraySplitter::object_byte(char c) {
  Frame& frame = frames_.back();
  if (depth_ > 0 || (in_string_ && !in_key_)) {  // inside a nested value or a string value
    skeleton_ += c;
    depth_ += structure_byte(c);
    return;
  }
  if (in_key_) {
    skeleton_ += c;
    if (c == '\\') return give_up();  // a key is matched by its raw text
    if (c != '"') {
      key_ += c;
      return;
    }
    in_key_ = in_string_ = false;
    key_ended();
    return;
  }
  switch (c) {
    case '"':
      in_string_ = true;
      in_key_ = frame.expect_key;
      frame.expect_key = false;
      key_.clear();
      break;
    case ',':
      frame.expect_key = true;
      match_ = Match::kNone;
      break;
    case ':':
      if (match_ != Match::kNone) {
        // A repeated key on the way: the whole-text parser decides which one counts.
        if (std::find(frame.seen.begin(), frame.seen.end(), key_) != frame.seen.end()) return give_up();
        frame.seen.push_back(key_);
        state_ = State::kBeforeValue;
      }
      break;
    case '{':
    case '[':
      depth_ = 1;
      break;
    case '}':
      frames_.pop_back();
      match_ = Match::kNone;
      if (frames_.empty()) {
        state_ = State::kAfterTop;
      } else {
        keys_.pop_back();
      }
      break;
    case ']':
      return give_up();
    default:
      break;
  }
  skeleton_ += c;
}

void ArraySplitter::value_byte(char c) {
  if (is_space(c)) return;
  if (match_ == Match::kArray && c == '[') {
    skeleton_ += c;
    state_ = State::kInArray;
    seen_[array_] = true;
    after_element_ = false;
    return;
  }
  // On the way to a chosen array an object is followed into. Any other value (a chosen member
  // that is not an array included) stays in the skeleton, for its parser to judge.
  state_ = State::kObject;
  if (c == '{' && match_ == Match::kPrefix) {
    skeleton_ += c;
    keys_.push_back(key_);
    frames_.emplace_back();
    match_ = Match::kNone;
    return;
  }
  match_ = Match::kNone;
  object_byte(c);
}

void ArraySplitter::array_byte(char c) {
  if (is_space(c)) return;
  if (c == '{' && !after_element_) {
    element_.clear();
    depth_ = 0;
    state_ = State::kInElement;
    element_byte(c);  // cannot complete an element: no callback yet
  } else if (c == ',' && after_element_) {
    after_element_ = false;
  } else if (c == ']' && (after_element_ || counts_[array_] == 0)) {
    skeleton_ += c;
    state_ = State::kObject;
    depth_ = 0;
    match_ = Match::kNone;
  } else {
    give_up();
  }
}

Status ArraySplitter::element_byte(char c) {
  element_ += c;
  depth_ += structure_byte(c);
  if (depth_ > 0) return ok();
  state_ = State::kInArray;
  after_element_ = true;
  return on_element_(array_, counts_[array_]++, element_);
}

Status ArraySplitter::write(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    switch (state_) {
      case State::kGaveUp:
        return ok();
      case State::kBeforeTop:
        if (is_space(c)) break;
        if (c != '{') return stop();
        skeleton_ += c;
        frames_.emplace_back();
        state_ = State::kObject;
        break;
      case State::kObject:
        object_byte(c);
        break;
      case State::kBeforeValue:
        value_byte(c);
        break;
      case State::kInArray:
        array_byte(c);
        break;
      case State::kInElement: {
        // Copy the run of bytes that cannot change the structure in one go.
        size_t end = i;
        while (end < bytes.size() && !kStructural[static_cast<unsigned char>(bytes[end])]) ++end;
        if (end > i) {
          if (escaped_) escaped_ = false;  // the escaped byte is the run's first
          element_.append(bytes.substr(i, end - i));
          i = end - 1;
          break;
        }
        ASTACUS_CHECK(element_byte(c));
        break;
      }
      case State::kAfterTop:
        skeleton_ += c;  // whitespace, or garbage the skeleton's parser will refuse
        break;
    }
  }
  return ok();
}

bool ArraySplitter::finish() const { return state_ == State::kAfterTop && !in_string_; }

}  // namespace astacus::manifest

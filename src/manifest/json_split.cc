#include "manifest/json_split.h"

#include <array>

namespace astacus::manifest {

namespace {

constexpr std::string_view kListKey = "snapshot_results";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes that change the structure state: everything else is copied in runs.
constexpr std::array<bool, 256> kStructural = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("\"\\{}[]")) t[c] = true;
  return t;
}();

}  // namespace

int ResultSplitter::structure_byte(char c) {
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

void ResultSplitter::top_byte(char c) {
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
    value_of_list_key_ = key_ == kListKey;
    return;
  }
  switch (c) {
    case '"':
      in_string_ = true;
      in_key_ = expect_key_;
      expect_key_ = false;
      key_.clear();
      break;
    case ',':
      expect_key_ = true;
      value_of_list_key_ = false;
      break;
    case ':':
      if (value_of_list_key_) {
        if (list_seen_) return give_up();  // a repeated key: the whole-text parser decides
        state_ = State::kBeforeList;
      }
      break;
    case '{':
    case '[':
      depth_ = 1;
      break;
    case '}':
      state_ = State::kAfterTop;
      break;
    case ']':
      return give_up();
    default:
      break;
  }
  skeleton_ += c;
}

Status ResultSplitter::result_byte(char c) {
  result_ += c;
  depth_ += structure_byte(c);
  if (depth_ > 0) return ok();
  state_ = State::kInList;
  after_element_ = true;
  return on_result_(results_++, result_);
}

Status ResultSplitter::write(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    switch (state_) {
      case State::kGaveUp:
        return ok();
      case State::kBeforeTop:
        if (is_space(c)) break;
        if (c != '{') return stop();
        skeleton_ += c;
        state_ = State::kTop;
        break;
      case State::kTop:
        top_byte(c);
        break;
      case State::kBeforeList:
        if (is_space(c)) break;
        if (c != '[') return stop();
        skeleton_ += c;
        state_ = State::kInList;
        after_element_ = false;
        break;
      case State::kInList:
        if (is_space(c)) break;
        if (c == '{' && !after_element_) {
          result_.clear();
          depth_ = 0;
          state_ = State::kInResult;
          ASTACUS_CHECK(result_byte(c));
        } else if (c == ',' && after_element_) {
          after_element_ = false;
        } else if (c == ']' && (after_element_ || results_ == 0)) {
          skeleton_ += c;
          state_ = State::kTop;
          depth_ = 0;
          list_seen_ = true;
          value_of_list_key_ = false;
        } else {
          return stop();
        }
        break;
      case State::kInResult: {
        // Copy the run of bytes that cannot change the structure in one go.
        size_t end = i;
        while (end < bytes.size() && !kStructural[static_cast<unsigned char>(bytes[end])]) ++end;
        if (end > i) {
          if (escaped_) escaped_ = false;  // the escaped byte is the run's first
          result_.append(bytes.substr(i, end - i));
          i = end - 1;
          break;
        }
        ASTACUS_CHECK(result_byte(c));
        break;
      }
      case State::kAfterTop:
        skeleton_ += c;  // whitespace, or garbage the skeleton's parser will refuse
        break;
    }
  }
  return ok();
}

bool ResultSplitter::finish() { return state_ == State::kAfterTop && !in_string_; }

}  // namespace astacus::manifest

#pragma once
// Where the CLI writes. Human output goes to `out`; log lines (Python's logging format
// "LEVEL:astacus.common.utils:message", which operators' scrapers may rely on) and the
// transient progress line go to `err`. The progress line is only drawn when `err` is a TTY; log
// lines printed while it is shown erase it first and redraw it after.

#include <ostream>
#include <string>
#include <string_view>

namespace astacus::cli {

class Console {
 public:
  Console(std::ostream& out, std::ostream& err, bool err_is_tty);

  /// Writes `line` + '\n' to stdout and flushes (so output interleaves sanely with stderr).
  void print(std::string_view line);
  /// Writes `text` to stdout as is and flushes.
  void write(std::string_view text);
  /// Writes `line` + '\n' to stderr as is.
  void print_error(std::string_view line);
  void info(std::string_view message);
  void warning(std::string_view message);

  /// Replaces the progress line (carriage return + text); no-op unless stderr is a TTY.
  void show_progress(std::string_view line);
  /// Erases the progress line if one is shown.
  void clear_progress();

 private:
  void log(std::string_view level, std::string_view message);
  void erase_line();

  std::ostream& out_;
  std::ostream& err_;
  bool err_is_tty_;
  std::string progress_;  // currently shown progress text, "" when none
};

}  // namespace astacus::cli

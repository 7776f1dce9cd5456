#include "cli/console.h"

#include "cli/table.h"

namespace astacus::cli {

Console::Console(std::ostream& out, std::ostream& err, bool err_is_tty)
    : out_(out), err_(err), err_is_tty_(err_is_tty) {}

void Console::print(std::string_view line) { out_ << line << '\n' << std::flush; }

void Console::write(std::string_view text) { out_ << text << std::flush; }

void Console::print_error(std::string_view line) {
  erase_line();
  err_ << line << '\n';
  if (!progress_.empty()) err_ << progress_;
  err_ << std::flush;
}

void Console::info(std::string_view message) { log("INFO", message); }

void Console::warning(std::string_view message) { log("WARNING", message); }

void Console::log(std::string_view level, std::string_view message) {
  std::string line(level);
  line += ":astacus.common.utils:";
  line += message;
  print_error(line);
}

void Console::show_progress(std::string_view line) {
  if (!err_is_tty_) return;
  erase_line();
  progress_ = line;
  err_ << progress_ << std::flush;
}

void Console::clear_progress() {
  erase_line();
  progress_.clear();
  err_ << std::flush;
}

void Console::erase_line() {
  if (progress_.empty()) return;
  err_ << '\r' << std::string(display_width(progress_), ' ') << '\r';
}

}  // namespace astacus::cli

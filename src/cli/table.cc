#include "cli/table.h"

#include <algorithm>
#include <regex>

namespace astacus::cli {
namespace {

bool looks_numeric(const std::string& text) {
  static const std::regex kNumber(R"(\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*)");
  return !text.empty() && std::regex_match(text, kNumber);
}

std::string pad(const std::string& text, size_t width, bool right_align) {
  size_t w = display_width(text);
  std::string fill(width > w ? width - w : 0, ' ');
  return right_align ? fill + text : text + fill;
}

std::string trim(const std::string& text) {
  auto first = text.find_first_not_of(" \t\n\r\f\v");
  if (first == std::string::npos) return "";
  auto last = text.find_last_not_of(" \t\n\r\f\v");
  return text.substr(first, last - first + 1);
}

std::string render_line(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                        const std::vector<bool>& right) {
  std::string line = "|";
  for (size_t i = 0; i < cells.size(); ++i) line += " " + pad(cells[i], widths[i], right[i]) + " |";
  return line;
}

}  // namespace

Cell Cell::number(int64_t value) { return Cell{std::to_string(value), true}; }

Cell Cell::string(std::string text) {
  bool numeric = looks_numeric(text);
  return Cell{std::move(text), numeric};
}

size_t display_width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string render_github_table(const Table& table) {
  size_t ncols = table.headers.size();
  std::vector<size_t> widths(ncols);
  std::vector<bool> right(ncols, !table.rows.empty());
  std::vector<std::vector<std::string>> texts;
  for (const auto& row : table.rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < ncols; ++i) {
      line.push_back(trim(row[i].text));
      right[i] = right[i] && row[i].is_number;
    }
    texts.push_back(std::move(line));
  }
  for (size_t i = 0; i < ncols; ++i) {
    widths[i] = display_width(table.headers[i]) + 2;
    for (const auto& line : texts) widths[i] = std::max(widths[i], display_width(line[i]));
  }
  std::string out = render_line(table.headers, widths, right) + "\n|";
  for (size_t w : widths) out += std::string(w + 2, '-') + "|";
  for (const auto& line : texts) out += "\n" + render_line(line, widths, right);
  return out;
}

}  // namespace astacus::cli

#pragma once
// A re-implementation of the part of Python's `tabulate(..., tablefmt="github")` the `list`
// command uses, byte for byte:
//   * column width = max(widest cell, header width + 2);
//   * numeric columns (every cell is a number or an int/float-looking string, and the table has
//     rows) are right-aligned, header included; all other columns are left-aligned;
//   * each cell is padded with one space on both sides, cells are joined by '|', lines by '\n',
//     and the separator under the header is dashes; no trailing newline.
// Deliberate simplification: tabulate would also re-print float-looking strings with "%g" and
// align them on the decimal point; such values are kept verbatim and right-aligned here.

#include <cstdint>
#include <string>
#include <vector>

namespace astacus::cli {

struct Cell {
  std::string text;
  bool is_number = false;

  static Cell number(int64_t value);
  /// Text cell; strings that look like numbers count as numbers, as in tabulate.
  static Cell string(std::string text);
};

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;  // every row has headers.size() cells
};

std::string render_github_table(const Table& table);

/// Width of UTF-8 text in code points (tabulate's len() without wcwidth).
size_t display_width(const std::string& text);

}  // namespace astacus::cli

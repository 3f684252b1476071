#pragma once
// How a table fits a terminal: identifiers are never cut. Columns marked
// `whole` (uids, names, times) always show in full; when the row is wider than
// the terminal, the other columns are dropped (in the table's drop order) and
// the caller says which; a `wrap_last` table wraps its last column onto
// continuation lines instead of dropping it. With --wide nothing is dropped.
#include <cstddef>
#include <string>
#include <vector>

namespace tolteca::cli {

struct Table;

// Display width of UTF-8 text (code points).
std::size_t display_width(const std::string& s);

struct TableLayout {
  std::vector<std::size_t> width;  // per column (0 for a dropped column)
  std::vector<bool> shown;
  std::vector<std::string> dropped;  // names of the dropped columns, in table order
  std::size_t wrap_width = 0;        // > 0: the last column wraps at this width
};

// avail: the terminal width, or 0 for "no limit" (not a terminal, or --wide).
TableLayout fit_table(const Table& t, std::size_t avail);

// Splits text into pieces of at most `width` display columns, at spaces or commas when possible.
std::vector<std::string> wrap_text(const std::string& text, std::size_t width);

}  // namespace tolteca::cli

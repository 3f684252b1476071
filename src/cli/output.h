#pragma once
// Printing results: aligned tables on a terminal, or JSON / CSV / TSV for
// scripts. Commands build a Table (or JSON) and hand it here; nothing else in
// the CLI formats output by hand.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tolteca::cli {

enum class OutputFormat { table, json, csv, tsv };

// "table", "json", "csv", "tsv"; throws UserError otherwise.
OutputFormat parse_output_format(const std::string& text);

struct Table {
  Table() = default;
  Table(std::vector<std::string> columns_, std::vector<std::vector<std::string>> rows_ = {},
        std::vector<bool> numeric_ = {})
      : columns(std::move(columns_)), rows(std::move(rows_)), numeric(std::move(numeric_)) {}
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // JSON types per column: values in these columns are emitted as numbers
  // (when they parse as one) rather than strings.
  std::vector<bool> numeric;
  // Table form on a terminal (cli/table_fit.h): `whole` columns (uids, names,
  // times) are never cut nor dropped; the others are dropped when the row is
  // too wide, first those of drop_order (column indices), then right to left,
  // and a note names them. wrap_last: wrap the last column instead of dropping it.
  std::vector<bool> whole;
  std::vector<int> drop_order;
  bool wrap_last = false;
  // Table form only: lines printed (indented) after data row i.
  std::vector<std::vector<std::string>> details;
};

bool stdout_is_tty();
// Colour only on a TTY and never with NO_COLOR set.
bool use_color();
// Terminal width (COLUMNS, the TTY, else 100).
int terminal_width();
// Whether tables fit a width: on a TTY, or when COLUMNS is set; never with --wide.
bool fit_to_terminal();
// --wide (every command with table output): show every column, however wide.
void set_wide_tables(bool wide);

// Renders a table in the format. JSON: an array of objects keyed by column.
// Table form: never truncates a cell; see Table::whole for what fits a terminal.
void print_table(std::ostream& out, const Table& t, OutputFormat format);
nlohmann::json table_to_json(const Table& t);
void print_json(std::ostream& out, const nlohmann::json& j);

// Prints a JSON array one element at a time, byte for byte as print_json of the whole array would
// (dump(2)): a result of any size streams out without being held in memory.
class JsonArrayPrinter {
 public:
  explicit JsonArrayPrinter(std::ostream& out) : out_(out) {}
  ~JsonArrayPrinter();  // finish() if not yet
  JsonArrayPrinter(const JsonArrayPrinter&) = delete;
  JsonArrayPrinter& operator=(const JsonArrayPrinter&) = delete;
  void add(const nlohmann::json& element);
  void finish();
  std::size_t count() const { return count_; }

 private:
  std::ostream& out_;
  std::size_t count_ = 0;
  bool finished_ = false;
};

// "Key: value" lines for a single record (human form of a JSON object).
void print_key_values(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& kv);

std::string human_bytes(double bytes);

}  // namespace tolteca::cli

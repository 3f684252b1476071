#pragma once
// Printing results: aligned tables on a terminal, or JSON / CSV / TSV for
// scripts. Commands build a Table (or JSON) and hand it here; nothing else in
// the CLI formats output by hand.
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tolteca::cli {

enum class OutputFormat { table, json, csv, tsv };

// "table", "json", "csv", "tsv"; throws UserError otherwise.
OutputFormat parse_output_format(const std::string& text);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // JSON types per column: values in these columns are emitted as numbers
  // (when they parse as one) rather than strings.
  std::vector<bool> numeric;
};

bool stdout_is_tty();
// Colour only on a TTY and never with NO_COLOR set.
bool use_color();
// Terminal width (COLUMNS, the TTY, else 100).
int terminal_width();

// Renders a table in the format. JSON: an array of objects keyed by column.
void print_table(std::ostream& out, const Table& t, OutputFormat format);
nlohmann::json table_to_json(const Table& t);
void print_json(std::ostream& out, const nlohmann::json& j);

// "Key: value" lines for a single record (human form of a JSON object).
void print_key_values(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& kv);

std::string human_bytes(double bytes);

}  // namespace tolteca::cli

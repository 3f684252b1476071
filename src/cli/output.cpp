#include "cli/output.h"
#include "cli/console.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ostream>

#include "cli/table_fit.h"
#include "model/error.h"

namespace tolteca::cli {

OutputFormat parse_output_format(const std::string& text) {
  if (text == "table") return OutputFormat::table;
  if (text == "json") return OutputFormat::json;
  if (text == "csv") return OutputFormat::csv;
  if (text == "tsv") return OutputFormat::tsv;
  throw UserError(fmt::format("unknown output format '{}'; use table, json, csv or tsv", text));
}

namespace {
thread_local bool g_wide = false;  // per thread: a server runs several commands at once
}  // namespace

bool stdout_is_tty() { return console().out_fd() >= 0 && isatty(console().out_fd()) != 0; }

void set_wide_tables(bool wide) { g_wide = wide; }

bool fit_to_terminal() {
  if (g_wide) return false;
  const auto c = env("COLUMNS");
  return stdout_is_tty() || (c && std::atoi(c->c_str()) > 20);
}

bool use_color() {
  const auto nc = env("NO_COLOR");
  return stdout_is_tty() && !(nc && !nc->empty());
}

int terminal_width() {
  if (const auto c = env("COLUMNS")) {
    int w = std::atoi(c->c_str());
    if (w > 20) return w;
  }
  winsize ws{};
  if (stdout_is_tty() && ioctl(console().out_fd(), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

namespace {

std::string csv_escape(const std::string& s, char sep) {
  bool quote = s.find_first_of(std::string{sep, '"', '\n', '\r'}) != std::string::npos;
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

nlohmann::json cell_to_json(const std::string& s, bool numeric) {
  if (!numeric || s.empty()) return s.empty() && numeric ? nlohmann::json(nullptr) : nlohmann::json(s);
  std::int64_t i = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && p == s.data() + s.size()) return i;
  double d = 0;
  auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec2 == std::errc() && p2 == s.data() + s.size()) return d;
  return s;
}

}  // namespace

nlohmann::json table_to_json(const Table& t) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& row : t.rows) {
    nlohmann::json obj = nlohmann::json::object();
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      bool numeric = c < t.numeric.size() && t.numeric[c];
      obj[t.columns[c]] = cell_to_json(c < row.size() ? row[c] : std::string(), numeric);
    }
    arr.push_back(std::move(obj));
  }
  return arr;
}

void print_json(std::ostream& out, const nlohmann::json& j) { out << j.dump(2) << '\n'; }

void JsonArrayPrinter::add(const nlohmann::json& element) {
  // An element of an array at depth 1: its dump(2) with every line indented by two more spaces
  // (strings escape their line breaks, so a '\n' in the dump always ends a line).
  const std::string text = element.dump(2);
  out_ << (count_++ == 0 ? "[\n  " : ",\n  ");
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    out_.write(text.data() + start, static_cast<std::streamsize>(nl + 1 - start)) << "  ";
  out_.write(text.data() + start, static_cast<std::streamsize>(text.size() - start));
}

void JsonArrayPrinter::finish() {
  if (finished_) return;
  finished_ = true;
  out_ << (count_ == 0 ? "[]\n" : "\n]\n");
}

JsonArrayPrinter::~JsonArrayPrinter() { finish(); }

void print_table(std::ostream& out, const Table& t, OutputFormat format) {
  switch (format) {
    case OutputFormat::json: print_json(out, table_to_json(t)); return;
    case OutputFormat::csv:
    case OutputFormat::tsv: {
      char sep = format == OutputFormat::csv ? ',' : '\t';
      for (std::size_t c = 0; c < t.columns.size(); ++c) out << (c ? std::string(1, sep) : "") << csv_escape(t.columns[c], sep);
      out << '\n';
      for (const auto& row : t.rows) {
        for (std::size_t c = 0; c < t.columns.size(); ++c)
          out << (c ? std::string(1, sep) : "") << csv_escape(c < row.size() ? row[c] : "", sep);
        out << '\n';
      }
      return;
    }
    case OutputFormat::table: break;
  }
  const std::size_t n = t.columns.size();
  const TableLayout l = fit_table(t, fit_to_terminal() ? static_cast<std::size_t>(terminal_width()) : 0);
  const bool color = use_color();
  std::size_t last_shown = 0;
  for (std::size_t c = 0; c < n; ++c)
    if (l.shown[c]) last_shown = c;
  // One line of cells; `numeric` cells align right.
  auto emit_line = [&](const std::vector<std::string>& cells, bool header) {
    std::string line;
    bool first = true;
    for (std::size_t c = 0; c < n; ++c) {
      if (!l.shown[c]) continue;
      const std::string& cell = cells[c];
      bool numeric = c < t.numeric.size() && t.numeric[c];
      std::size_t w = display_width(cell);
      std::size_t pad = l.width[c] > w ? l.width[c] - w : 0;
      if (!first) line += "  ";
      first = false;
      if (numeric && !header) line += std::string(pad, ' ') + cell;
      else line += cell + (c != last_shown ? std::string(pad, ' ') : "");
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (header && color) out << "\033[1m" << line << "\033[0m\n";
    else out << line << '\n';
  };
  auto emit_row = [&](const std::vector<std::string>& row, bool header) {
    std::vector<std::string> cells(n);
    for (std::size_t c = 0; c < n && c < row.size(); ++c) cells[c] = row[c];
    if (!l.wrap_width || header) return emit_line(cells, header);
    auto pieces = wrap_text(cells[n - 1], l.wrap_width);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) std::fill(cells.begin(), cells.end() - 1, std::string());
      cells[n - 1] = pieces[i];
      emit_line(cells, false);
    }
  };
  emit_row(t.columns, true);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    emit_row(t.rows[r], false);
    if (r < t.details.size())
      for (const auto& d : t.details[r]) out << "    " << d << '\n';
  }
  if (!l.dropped.empty()) {
    const std::string note = fmt::format("(not shown at {} columns: {}; --wide shows every column)", terminal_width(),
                                         fmt::join(l.dropped, ", "));
    for (const auto& piece : wrap_text(note, static_cast<std::size_t>(terminal_width()))) out << piece << '\n';
  }
}

void print_key_values(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& kv) {
  std::size_t w = 0;
  for (const auto& [k, v] : kv) w = std::max(w, display_width(k));
  for (const auto& [k, v] : kv) out << k << ':' << std::string(w - display_width(k) + 1, ' ') << v << '\n';
}

std::string human_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

}  // namespace tolteca::cli

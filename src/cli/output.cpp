#include "cli/output.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <ostream>

#include "model/error.h"

namespace tolteca::cli {

OutputFormat parse_output_format(const std::string& text) {
  if (text == "table") return OutputFormat::table;
  if (text == "json") return OutputFormat::json;
  if (text == "csv") return OutputFormat::csv;
  if (text == "tsv") return OutputFormat::tsv;
  throw UserError(fmt::format("unknown output format '{}'; use table, json, csv or tsv", text));
}

bool stdout_is_tty() { return isatty(STDOUT_FILENO) != 0; }

bool use_color() {
  const char* nc = std::getenv("NO_COLOR");
  return stdout_is_tty() && !(nc && *nc);
}

int terminal_width() {
  if (const char* c = std::getenv("COLUMNS")) {
    int w = std::atoi(c);
    if (w > 20) return w;
  }
  winsize ws{};
  if (stdout_is_tty() && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return 100;
}

namespace {

// Display width of UTF-8 text (code points; good enough for our content).
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string truncate_to(const std::string& s, std::size_t width) {
  if (display_width(s) <= width) return s;
  if (width == 0) return {};
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) {
      if (n + 1 == width) break;
      ++n;
    }
    out += s[i];
  }
  return out + "…";
}

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
  std::vector<std::size_t> width(n);
  for (std::size_t c = 0; c < n; ++c) {
    width[c] = display_width(t.columns[c]);
    for (const auto& row : t.rows)
      if (c < row.size()) width[c] = std::max(width[c], display_width(row[c]));
  }
  // Fit the terminal: shrink the widest columns first (never below 8).
  const std::size_t avail = static_cast<std::size_t>(terminal_width());
  auto total = [&] {
    std::size_t s = n ? 2 * (n - 1) : 0;
    for (auto w : width) s += w;
    return s;
  };
  if (stdout_is_tty()) {
    while (total() > avail) {
      auto it = std::max_element(width.begin(), width.end());
      if (*it <= 8) break;
      --*it;
    }
  }
  const bool color = use_color();
  auto emit_row = [&](const std::vector<std::string>& row, bool header) {
    std::string line;
    for (std::size_t c = 0; c < n; ++c) {
      std::string cell = truncate_to(c < row.size() ? row[c] : "", width[c]);
      bool numeric = c < t.numeric.size() && t.numeric[c];
      std::size_t pad = width[c] - display_width(cell);
      if (c) line += "  ";
      if (numeric && !header) line += std::string(pad, ' ') + cell;
      else line += cell + (c + 1 < n ? std::string(pad, ' ') : "");
    }
    if (header && color) out << "\033[1m" << line << "\033[0m\n";
    else out << line << '\n';
  };
  emit_row(t.columns, true);
  for (const auto& row : t.rows) emit_row(row, false);
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

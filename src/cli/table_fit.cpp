#include "cli/table_fit.h"

#include <algorithm>
#include <numeric>

#include "cli/output.h"

namespace tolteca::cli {

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

namespace {

std::size_t total_width(const std::vector<std::size_t>& width, const std::vector<bool>& shown) {
  std::size_t s = 0, n = 0;
  for (std::size_t c = 0; c < width.size(); ++c)
    if (shown[c]) {
      s += width[c];
      ++n;
    }
  return s + (n ? 2 * (n - 1) : 0);
}

bool is_whole(const Table& t, std::size_t c) { return c < t.whole.size() && t.whole[c]; }

// Non-whole columns, first dropped first: the table's order, then right to left.
std::vector<std::size_t> drop_order(const Table& t) {
  std::vector<std::size_t> order;
  for (int c : t.drop_order)
    if (c >= 0 && static_cast<std::size_t>(c) < t.columns.size() && !is_whole(t, c)) order.push_back(c);
  for (std::size_t c = t.columns.size(); c-- > 0;)
    if (!is_whole(t, c) && std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
  return order;
}

}  // namespace

TableLayout fit_table(const Table& t, std::size_t avail) {
  const std::size_t n = t.columns.size();
  TableLayout l;
  l.width.assign(n, 0);
  l.shown.assign(n, true);
  for (std::size_t c = 0; c < n; ++c) {
    l.width[c] = display_width(t.columns[c]);
    for (const auto& row : t.rows)
      if (c < row.size()) l.width[c] = std::max(l.width[c], display_width(row[c]));
  }
  if (avail == 0 || total_width(l.width, l.shown) <= avail) return l;
  const std::size_t last = n - 1;
  if (t.wrap_last && n > 0 && !is_whole(t, last)) {
    // Wrap the last column into what the others leave (at least 16 columns wide).
    l.shown[last] = false;
    const std::size_t rest = total_width(l.width, l.shown) + (n > 1 ? 2 : 0);
    l.shown[last] = true;
    if (rest + 16 <= avail) {
      l.wrap_width = avail - rest;
      l.width[last] = std::max(display_width(t.columns[last]), l.wrap_width);
      l.wrap_width = l.width[last];
      return l;
    }
  }
  std::vector<std::size_t> dropped;
  for (std::size_t c : drop_order(t)) {
    if (total_width(l.width, l.shown) <= avail) break;
    l.shown[c] = false;
    dropped.push_back(c);
  }
  // Give back the columns that fit again (the last dropped first).
  for (auto it = dropped.rbegin(); it != dropped.rend(); ++it) {
    l.shown[*it] = true;
    if (total_width(l.width, l.shown) > avail) l.shown[*it] = false;
  }
  for (std::size_t c = 0; c < n; ++c)
    if (!l.shown[c]) {
      l.width[c] = 0;
      l.dropped.push_back(t.columns[c]);
    }
  return l;
}

std::vector<std::string> wrap_text(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  if (width == 0) return {text};
  std::string rest = text;
  while (display_width(rest) > width) {
    // Byte index just past `width` code points.
    std::size_t i = 0, cps = 0;
    while (i < rest.size() && cps < width) {
      ++i;
      while (i < rest.size() && (static_cast<unsigned char>(rest[i]) & 0xC0) == 0x80) ++i;
      ++cps;
    }
    std::size_t cut = rest.find_last_of(" ,", i - 1);
    if (cut == std::string::npos || cut == 0) cut = i;
    else ++cut;  // keep the separator on this line
    std::string line = rest.substr(0, cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
    rest = rest.substr(cut);
    while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  }
  if (!rest.empty() || out.empty()) out.push_back(rest);
  return out;
}

}  // namespace tolteca::cli

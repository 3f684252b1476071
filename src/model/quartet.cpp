#include "model/quartet.h"

#include <charconv>
#include <fmt/format.h>

namespace tolteca {

std::string to_string(const Quartet& q) {
  return fmt::format("{}-{}-{}-{}", to_string(q.master), q.obsnum, q.subobsnum, q.scannum);
}

std::optional<Quartet> parse_quartet(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto master = parse_master(text.substr(0, dash));
  if (!master) return std::nullopt;
  Quartet q;
  q.master = *master;
  const char* p = text.data() + dash + 1;
  const char* end = text.data() + text.size();
  auto read = [&](auto& out, bool last) {
    auto [ptr, ec] = std::from_chars(p, end, out);
    if (ec != std::errc() || ptr == p) return false;
    p = ptr;
    if (last) return p == end;
    if (p == end || *p != '-') return false;
    ++p;
    return true;
  };
  if (!read(q.obsnum, false) || !read(q.subobsnum, false) || !read(q.scannum, true)) return std::nullopt;
  if (q.obsnum < 0 || q.subobsnum < 0 || q.scannum < 0) return std::nullopt;
  return q;
}

}  // namespace tolteca

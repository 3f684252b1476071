#include "model/rel_path.h"

#include <vector>

namespace tolteca {

std::optional<std::string> normalize_relative(std::string_view rel) {
  if (!rel.empty() && rel.front() == '/') return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i <= rel.size()) {
    auto j = rel.find('/', i);
    if (j == std::string_view::npos) j = rel.size();
    std::string_view c = rel.substr(i, j - i);
    i = j + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out;
  out.reserve(rel.size());
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out.append(p);
  }
  return out;
}

bool is_normal_relative(std::string_view rel) {
  if (rel.empty()) return false;
  auto n = normalize_relative(rel);
  return n && *n == rel;
}

}  // namespace tolteca

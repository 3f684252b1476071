// List splitting, see split.h.
#include "model/split.h"

namespace tolteca {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(text.substr(start));
      return out;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string> split_nonempty(std::string_view text, char sep, Trim trim) {
  std::vector<std::string> out;
  for (std::string_view item : split(text, sep)) {
    if (trim == Trim::blanks) {
      const auto first = item.find_first_not_of(" \t");
      item = first == std::string_view::npos ? std::string_view{} : item.substr(first, item.find_last_not_of(" \t") - first + 1);
    }
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

}  // namespace tolteca

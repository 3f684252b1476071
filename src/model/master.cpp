#include "model/master.h"

#include <cctype>

namespace tolteca {

std::optional<Master> parse_master(std::string_view text) {
  if (text.size() < 3 || text.size() > 4) return std::nullopt;
  char lower[4] = {};
  for (std::size_t i = 0; i < text.size(); ++i)
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  std::string_view t(lower, text.size());
  if (t == "tcs") return Master::tcs;
  if (t == "ics") return Master::ics;
  if (t == "clip") return Master::clip;
  return std::nullopt;
}

std::optional<Master> master_from_code(std::int64_t code) {
  if (code >= 0 && code <= 2) return static_cast<Master>(code);
  return std::nullopt;
}

}  // namespace tolteca

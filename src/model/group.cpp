#include "model/group.h"

#include <fmt/format.h>

namespace tolteca {

std::string Group::uid() const { return fmt::format("{}:{}", assoc_type_name(type), to_string(first)); }

std::string Group::name() const {
  const auto m = to_string(first.master);
  switch (type) {
    case AssocType::cal_group: return fmt::format("{}-{}-g{}-cal", m, first.obsnum, n());
    case AssocType::drivefit: return fmt::format("{}-{}-g{}-drivefit", m, first.obsnum, n());
    case AssocType::focus_group:
    case AssocType::astig_group: {
      const char* suffix = type == AssocType::focus_group ? "focus" : "astig";
      if (first_obsnum == last_obsnum) return fmt::format("{}-{}-g{}-{}", m, first_obsnum, n(), suffix);
      return fmt::format("{}-{}to{}-g{}-{}", m, first_obsnum, last_obsnum, n(), suffix);
    }
    case AssocType::cal_obs: break;  // not a group type
  }
  return {};
}

std::string cal_edge_context(std::uint32_t roach_mask) {
  std::string s = "{\"networks\":[";
  bool first = true;
  for (int r = 0; r < 32; ++r) {
    if (!(roach_mask & (1u << r))) continue;
    if (!first) s += ',';
    s += std::to_string(r);
    first = false;
  }
  return s + "]}";
}

}  // namespace tolteca

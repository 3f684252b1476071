#include "model/obs_fact.h"

#include <cctype>

namespace tolteca {

GoalClass goal_class_of(std::string_view g) {
  if (g.size() < 5 || g.size() > 11) return GoalClass::none;
  char buf[12];
  for (std::size_t i = 0; i < g.size(); ++i) buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(g[i])));
  std::string_view l(buf, g.size());
  if (l == "focus") return GoalClass::focus;
  if (l == "astig" || l == "astigmatism") return GoalClass::astig;
  return GoalClass::none;
}

}  // namespace tolteca

#include "model/assoc_type.h"

#include "model/product_type.h"

namespace tolteca {

std::string_view assoc_type_name(AssocType t) {
  switch (t) {
    case AssocType::cal_group: return "cal_group";
    case AssocType::drivefit: return "drivefit";
    case AssocType::focus_group: return "focus_group";
    case AssocType::astig_group: return "astig_group";
    case AssocType::cal_obs: return "raw_obs_cal_obs";
  }
  return "?";
}

std::string_view group_product_type(AssocType t) {
  switch (t) {
    case AssocType::cal_group: return product_type::cal_group;
    case AssocType::drivefit: return product_type::drivefit;
    case AssocType::focus_group: return product_type::focus_group;
    case AssocType::astig_group: return product_type::astig_group;
    case AssocType::cal_obs: return "";
  }
  return "";
}

std::string_view assoc_edge_type(AssocType t) {
  switch (t) {
    case AssocType::cal_group: return edge_type::cal_group_raw_obs;
    case AssocType::drivefit: return edge_type::drivefit_raw_obs;
    case AssocType::focus_group: return edge_type::focus_group_raw_obs;
    case AssocType::astig_group: return edge_type::astig_group_raw_obs;
    case AssocType::cal_obs: return edge_type::raw_obs_cal_obs;
  }
  return "";
}

std::optional<AssocType> group_type_of_product(std::string_view pt) {
  for (AssocType t : kGroupTypes)
    if (group_product_type(t) == pt) return t;
  return std::nullopt;
}

std::optional<AssocType> parse_assoc_type(std::string_view name) {
  for (AssocType t : kAssocTypes)
    if (name == assoc_type_name(t) || (is_group(t) && name == group_product_type(t)) ||
        (!is_group(t) && name == assoc_edge_type(t)))
      return t;
  if (name == "cal_obs" || name == "cal_edges") return AssocType::cal_obs;
  if (name == "cal") return AssocType::cal_group;
  if (name == "focus") return AssocType::focus_group;
  if (name == "astig") return AssocType::astig_group;
  return std::nullopt;
}

}  // namespace tolteca

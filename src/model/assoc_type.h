#pragma once
// What the association engine maintains: the four group types and the
// raw-obs -> cal-obs edges. One enum for rules and groups alike; the four
// group types come first (their codes are stable: state and tests use them).
#include <cstdint>
#include <optional>
#include <string_view>

namespace tolteca {

enum class AssocType : std::uint8_t { cal_group = 0, drivefit = 1, focus_group = 2, astig_group = 3, cal_obs = 4 };

inline constexpr AssocType kGroupTypes[] = {AssocType::cal_group, AssocType::drivefit, AssocType::focus_group,
                                            AssocType::astig_group};
inline constexpr AssocType kAssocTypes[] = {AssocType::cal_group, AssocType::drivefit, AssocType::focus_group,
                                            AssocType::astig_group, AssocType::cal_obs};

// True for the four group types (cal_obs is edges only).
constexpr bool is_group(AssocType t) { return t != AssocType::cal_obs; }

// "cal_group", "drivefit", "focus_group", "astig_group", "raw_obs_cal_obs".
std::string_view assoc_type_name(AssocType t);
// "dp_cal_group", ...; "" for cal_obs (no product).
std::string_view group_product_type(AssocType t);
// The edge kind: "dpa_cal_group_raw_obs", ... (group -> member); "dpa_raw_obs_cal_obs" for cal_obs.
std::string_view assoc_edge_type(AssocType t);
// The group type whose product type is pt ("dp_cal_group" -> cal_group); nullopt for any other.
std::optional<AssocType> group_type_of_product(std::string_view pt);
// The names above, the aliases "cal_obs", "cal_edges", "cal", "focus", "astig", the group
// product types ("dp_cal_group", ...) and "dpa_raw_obs_cal_obs"; nullopt for any other.
std::optional<AssocType> parse_assoc_type(std::string_view name);

}  // namespace tolteca

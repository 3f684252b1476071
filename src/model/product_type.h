#pragma once
// The registry's vocabulary: the product types (products.product_type) and
// the edge kinds (edges.assoc_type), each spelled once. docs/ARCHITECTURE.md
// describes what each one holds (uid and name conventions).
#include <string_view>

namespace tolteca::product_type {

// Every product type starts with it; query output names a type without it ("cal_group").
inline constexpr std::string_view prefix = "dp_";

inline constexpr std::string_view raw_obs = "dp_raw_obs";          // one raw observation (quartet)
inline constexpr std::string_view reduced_obs = "dp_reduced_obs";  // a reduced observation
inline constexpr std::string_view cal_group = "dp_cal_group";      // the four engine-maintained groups
inline constexpr std::string_view drivefit = "dp_drivefit";
inline constexpr std::string_view focus_group = "dp_focus_group";
inline constexpr std::string_view astig_group = "dp_astig_group";
inline constexpr std::string_view named_group = "dp_named_group";  // a user's named group (uid "named:<NAME>")

// Every group's product type: the engine's four, then the named groups.
inline constexpr std::string_view groups[] = {cal_group, drivefit, focus_group, astig_group, named_group};

}  // namespace tolteca::product_type

namespace tolteca::edge_type {

inline constexpr std::string_view reduced_obs_raw_obs = "dpa_reduced_obs_raw_obs";  // reduced -> its raw obs
inline constexpr std::string_view raw_obs_cal_obs = "dpa_raw_obs_cal_obs";          // raw obs -> its cal obs
inline constexpr std::string_view cal_group_raw_obs = "dpa_cal_group_raw_obs";      // group -> member
inline constexpr std::string_view drivefit_raw_obs = "dpa_drivefit_raw_obs";
inline constexpr std::string_view focus_group_raw_obs = "dpa_focus_group_raw_obs";
inline constexpr std::string_view astig_group_raw_obs = "dpa_astig_group_raw_obs";
inline constexpr std::string_view named_group_data_prod = "dpa_named_group_data_prod";  // named group -> member

}  // namespace tolteca::edge_type

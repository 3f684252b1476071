#pragma once
// TolTEC file names: parse (pure, no regex on the hot path) and format.
// Conventions: ../shared/spec/domain.md, section "File names".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "model/data_kind.h"
#include "model/master.h"
#include "model/quartet.h"
#include "model/time.h"

namespace tolteca::files {

enum class InterfaceKind : std::uint8_t { toltec, hwpr, toltec_hk, tel_toltec, tel_toltec2, wyatt };

struct ParsedName {
  InterfaceKind kind = InterfaceKind::toltec;
  std::string interface;            // "toltec7", "hwpr", "toltec_hk", "tel_toltec", "tel_toltec2", "wyatt"
  std::optional<int> roach;         // network 0..12 for toltecN
  std::optional<Master> master;     // from the directory (…/toltec/{ics,tcs,clip}/{interface}/); tcs for tel files
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::optional<UnixMicros> file_time;  // UT timestamp in the name (date only -> midnight)
  std::string suffix;               // "" | "vnasweep" | "vnasweep_processed" | "targsweep_kids_find" | …
  std::string extension;            // "nc", "txt", "ecsv", …
  bool is_raw = true;               // false for reduction products (extended suffix, non-.nc raw stem)
  DataKindBits data_kind = 0;       // from the suffix / interface (the header is the authority)
  int subobsnum_width = 3;          // digits as written (2 in 2020 names), for round-trip formatting
  bool date_first = false;          // toltec_hk only: the older "toltec_hk_{YYYY-mm-dd}_{obsnum}_…" form

  // Quartet when the master is known.
  std::optional<Quartet> quartet() const {
    if (!master) return std::nullopt;
    return Quartet{*master, obsnum, subobsnum, scannum};
  }
  bool operator==(const ParsedName&) const = default;
};

enum class RejectReason : std::uint8_t {
  not_toltec_name,    // does not follow any TolTEC convention
  current_file_link,  // toltec0.nc, tel.nc, hwpr.nc …: link to the file being written
  bad_timestamp,      // impossible date/time in the name
  bad_number,         // obsnum/subobsnum/scannum/roach out of range
};
std::string_view to_string(RejectReason r);

struct NameRejection {
  RejectReason reason;
  std::string detail;  // human explanation
};

using NameParse = std::variant<ParsedName, NameRejection>;

// Parses a file name, or a path whose directories give the master: the directory two levels above the
// file ("…/toltec/{ics,tcs,clip}/{interface}/name") when it is ics, tcs or clip; tel files are always tcs.
// Never throws (a std::bad_alloc aside); every non-TolTEC input is a typed NameRejection.
NameParse parse_filename(std::string_view path);
// Canonical file name (no directory) for a parsed name: obsnum 6 digits, subobsnum `subobsnum_width`
// digits, scannum 4 digits. Throws std::invalid_argument when file_time is missing.
std::string format_filename(const ParsedName& name);
// Relative path under a data root (data_lmt layout), e.g. "toltec/ics/toltec8/<name>", "tel/<name>".
// Throws std::invalid_argument when a non-telescope name has no master.
std::string format_relative_path(const ParsedName& name);

// "toltec7", "hwpr", "toltec_hk", "tel_toltec", "tel_toltec2", "wyatt".
std::string interface_name(InterfaceKind kind, std::optional<int> roach = std::nullopt);

// Convenience accessors for the variant.
inline const ParsedName* as_parsed(const NameParse& p) { return std::get_if<ParsedName>(&p); }
inline const NameRejection* as_rejection(const NameParse& p) { return std::get_if<NameRejection>(&p); }
const ParsedName* as_parsed(NameParse&&) = delete;  // would dangle
const NameRejection* as_rejection(NameParse&&) = delete;

}  // namespace tolteca::files

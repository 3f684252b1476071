#pragma once
// A realistic TolTEC data simulator: a data_lmt/ archive tree of tiny but real netCDF files whose names
// and headers agree, deterministic from the seed, plus the manifest of what a registry must find in it
// (/work/notes/manifest.md: files, bad files, raw observations, groups, cal edges).
//
// Three steps, each usable on its own:
//   make_plan(options)          pure: every file, header and expectation (no I/O)
//   write_archive(plan, dir)    writes the files (+ the LMT catalogue CSV and the SQLite site database)
//   manifest_json(plan)         the manifest
//
// Manifest conventions (beyond notes/manifest.md):
// - A raw observation's start_time is the earliest second-resolution file timestamp of its network/hwpr
//   files; every file of the observation carries the same ObsStartTime and the telescope file's first
//   TelTime sample equals it. Date-only names (tel_toltec_YYYY-mm-dd_…) never define the start time.
// - raw_obs, groups, cal_edges and counts are computed from GOOD files only; a bad file that has a
//   TolTEC name (truncated, header_mismatch, zero_byte, lofreq_zero) carries the uid its name gives and
//   always sits on a network that observation otherwise lacks, with that observation's kind, so
//   including or excluding it never changes kinds or groups (only networks/n_files).
// - With --reduced, reduction products of each night's first VNA, target sweep and tune are listed in
//   files (raw=false) and in reduced_obs ("reduced:<raw uid>"); raw_obs and groups ignore them.
// - With --names-only every file is zero bytes: no headers, so obs_goal and cal are null, no
//   focus/astig groups and no cal edges; kinds are those of the suffixes (identical by construction).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "files/filename.h"
#include "sim/toltec_writer.h"
#include "model/data_kind.h"
#include "model/quartet.h"
#include "model/time.h"

namespace tolteca::sim {

struct SimOptions {
  std::uint64_t seed = 1;
  int nights = 1;
  std::string start_date = "2024-11-13";  // YYYY-MM-DD, the UT date of the first night
  std::int64_t ics_start_obsnum = 18340;
  std::int64_t tcs_start_obsnum = 131280;
  std::vector<int> networks = {0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12};  // 6 and 11 disabled
  std::string format = "mix";  // classic | 64bit | netcdf4 | mix
  bool bad_files = false;
  bool names_only = false;
  bool hwpr = true;      // write hwpr files with tcs timestreams
  bool reduced = false;  // also write reduction products of the first calibration chain of each night
  double scale = 1.0;    // multiplies series lengths (drive fit, VNA series) and science maps
  std::string catalog_path;    // LMT metadata catalogue CSV (empty: none)
  std::string toltec_db_path;  // SQLite site file database (empty: none)
  // A network that drops out: from observation index dropout_from_obs on (0-based, counting every
  // emitted observation of all nights in plan order), network dropout_network writes no more files.
  // -1: none. An observation never loses its last network.
  int dropout_network = -1;
  std::int64_t dropout_from_obs = 0;
};

// Parses "N@K" (network N drops out from observation index K on) into options; throws UserError.
void parse_dropout(const std::string& text, SimOptions& options);

// Parses "0-12", "0,1,2,7-10" into a sorted list of networks 0..12; throws UserError otherwise.
std::vector<int> parse_networks(const std::string& text);

enum class BadCase : std::uint8_t { truncated, header_mismatch, zero_byte, not_toltec, current_link, lofreq_zero };
std::string_view to_string(BadCase c);
// What a registry should do with each case: "failed", "skipped" or "flagged".
std::string_view expected_outcome(BadCase c);

// reduced: a reduction product (…_vnasweep_processed.nc, …_d21.nc with Header.Kids.kind, or a
// …_tune.txt model table) of a raw observation; listed in the manifest's files with raw=false and in
// reduced_obs, never counted in raw_obs.
enum class SimFileType : std::uint8_t { network, hwpr, tel, tel2, other, reduced };

struct SimFile {
  std::string path;  // relative to the data root
  SimFileType type = SimFileType::network;
  std::optional<files::ParsedName> name;  // absent for not_toltec / current_link
  std::optional<Quartet> quartet;  // the raw observation the name gives
  DataKindBits kind = 0;           // as the header says
  NetworkFileSpec net;             // network / hwpr headers
  TelFileSpec tel;                 // telescope headers
  std::optional<BadCase> bad;
  std::string link_target;  // current_link: relative path of the file it points to
};

struct SimRawObs {
  Quartet quartet;
  DataKindBits data_kind = 0;
  UnixMicros start_time = 0;
  std::vector<int> networks;
  std::vector<std::string> interfaces;
  int n_files = 0;
  std::optional<std::string> obs_goal;  // lower case
  std::optional<std::string> cal;       // uid of the cal observation most networks point to
};

struct SimGroup {
  std::string type;  // cal_group | drivefit | focus_group | astig_group
  std::string name;
  std::vector<std::string> members;  // uids, in the rule's order
};

struct SimCalEdge {
  std::string src, dst;
  std::vector<int> networks;  // networks whose files point there
};

struct SimReducedObs {
  std::string uid;      // "reduced:<raw uid>"
  std::string raw_obs;  // the raw observation's uid
  int n_files = 0;
};

struct SimPlan {
  SimOptions options;
  std::vector<SimFile> files;  // good and bad, in writing order
  std::vector<SimRawObs> raw_obs;  // sequence order
  std::vector<SimGroup> groups;
  std::vector<SimCalEdge> cal_edges;
  std::vector<SimReducedObs> reduced_obs;
};

// Builds the plan (no I/O). Throws UserError for bad options.
SimPlan make_plan(const SimOptions& options);

// Applies the spec's association rules to raw observations (sequence order): cal_group, drivefit,
// focus_group, astig_group. Independent of src/assoc on purpose (it is what tests compare against).
std::vector<SimGroup> expected_groups(const std::vector<SimRawObs>& raw_obs);

struct WriteStats {
  std::int64_t files = 0, bytes = 0;
  double seconds = 0;
};
// Writes every planned file under out_dir (created if missing), and the catalogue / site database when
// the options ask for them. Throws UserError when out_dir is not usable. Before anything is written:
// a non-empty out_dir, an existing catalogue or site database file, or both options naming one file are
// refused unless `force` (the last one always); the catalogue and site database are written under a
// temporary name and renamed into place (files::OutputFile).
WriteStats write_archive(const SimPlan& plan, const std::string& out_dir, bool force = false);

nlohmann::json manifest_json(const SimPlan& plan);

// Human summary rows: (what, count) per kind, interface and master.
struct SimCounts {
  std::int64_t files = 0, bad_files = 0, raw_obs = 0, reduced_files = 0;
  std::vector<std::pair<std::string, std::int64_t>> per_kind, per_interface, per_master;
};
SimCounts count_plan(const SimPlan& plan);

}  // namespace tolteca::sim

#pragma once
// Query vocabulary: the filters the queries take and the rows they return
// (plain data, no I/O). storage/query_store.h runs them. (Namespace
// tolteca::query, as before the move to model/.)
#include <cstdint>
#include <map>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/data_kind.h"
#include "model/master.h"
#include "model/time.h"
#include "model/obs_spec.h"

namespace tolteca::query {

// ---- observations ----------------------------------------------------------

enum class ObsSort { start, obsnum };

struct ObsFilter {
  std::vector<ObsSpec> specs;  // OR of the specs; empty = all
  std::optional<Master> master;
  DataKindBits kinds = 0;  // observations having any of these bits; 0 = any
  std::optional<std::string> goal;     // ObsGoal, case-insensitive ("astig" = "astigmatism")
  std::optional<std::string> source;   // source name, case-insensitive
  std::optional<std::string> project;  // project id, case-insensitive
  std::optional<UnixMicros> since;     // start time >= since
  std::optional<UnixMicros> until;     // start time < until
  std::optional<UnixMicros> arrived_since;  // has a file recorded (sources.ingest_time) at or after this
  std::optional<std::int64_t> limit;
  ObsSort sort = ObsSort::start;
  bool newest = false;  // reverse the order (newest / highest first); with limit: the last N
};

struct FileRow {
  std::string obs_uid;  // the raw observation
  std::string interface;
  std::optional<int> roach;
  DataKindBits data_kind = 0;
  bool is_raw = true;
  std::string availability;  // "available" | "missing"
  std::string location;      // location label
  std::string rel_path;
  std::string path;  // absolute: the location's root joined with rel_path
  std::optional<std::int64_t> size;
  std::optional<UnixMicros> file_time;
  std::optional<std::string> problem;
};

struct ObsRow {
  std::int64_t id = 0;
  std::string uid;
  std::string master;
  std::int64_t obsnum = 0;
  std::int32_t subobsnum = 0;
  std::int32_t scannum = 0;
  std::optional<UnixMicros> start_time;
  DataKindBits data_kind = 0;
  std::vector<int> networks;            // roach numbers with a file, ascending
  std::vector<std::string> interfaces;  // all interfaces with a file, sorted
  std::int64_t n_files = 0;
  std::int64_t n_missing = 0;
  std::optional<std::string> obs_goal, source_name, project_id, obs_pgm;
  std::optional<double> tau;
  std::vector<std::string> groups;  // names of the groups it belongs to
  std::vector<std::string> cal;     // uids of its cal observation(s)
  std::vector<FileRow> files;       // filled on request
};

// "0-5,7-9,11,12": runs of >= 3 consecutive numbers collapse to a-b.
std::string compress_numbers(const std::vector<int>& sorted_unique);

// ---- files -----------------------------------------------------------------

struct FileFilter {
  std::vector<ObsSpec> specs;  // OR; empty = all
  std::optional<std::string> interface;  // normalised (toltec7, hwpr, …)
  bool missing_only = false;
  bool all_locations = false;  // false: one row per file (best available location)
  bool newest = false;         // observations newest first (files within one observation keep their order)
};

// ---- groups ----------------------------------------------------------------

struct GroupFilter {
  std::vector<std::string> types;  // cal_group, drivefit, focus_group, astig_group, named_group; empty = all
  std::vector<ObsSpec> specs;      // groups with a member matching any; empty = all
  std::optional<UnixMicros> since;  // latest member time >= since
  bool members = false;
  std::optional<std::int64_t> limit;
  bool newest = false;  // newest latest member time first; with limit: the last N
};

struct MemberRow {
  std::string uid;
  std::string product_type;
  DataKindBits data_kind = 0;
  std::optional<UnixMicros> start_time;
};

struct GroupRow {
  std::int64_t id = 0;
  std::string uid;
  std::string name;
  std::string type;  // cal_group, …
  std::int64_t n_items = 0;
  std::optional<std::string> master;
  std::optional<std::int64_t> first_obsnum, last_obsnum;
  std::optional<UnixMicros> latest_member_time;
  std::vector<MemberRow> members;  // filled on request, in sequence order
};

// Group type names accepted by --type.
const std::vector<std::string>& group_types();

// ---- stats -----------------------------------------------------------------

struct CountRow {
  std::string key;
  std::int64_t count = 0;
};

struct NightRow {
  std::string night;  // YYYY-MM-DD of the start time (UT)
  std::int64_t observations = 0;
};

struct NetworkRow {
  std::string interface;
  std::int64_t files = 0;    // file rows of this interface (every location)
  std::int64_t missing = 0;  // of which recorded as missing
};

struct FailedRow {
  std::optional<UnixMicros> time;
  std::string subject;
  std::string message;
};

struct Stats {
  std::int64_t observations = 0;
  std::int64_t files = 0;
  std::int64_t missing_files = 0;
  std::int64_t reduced = 0;
  std::int64_t groups = 0;
  std::int64_t edges = 0;
  std::int64_t failed_ingests = 0;
  std::optional<std::int64_t> db_size;
  std::optional<UnixMicros> first_start, last_start;
  std::vector<CountRow> groups_per_type;   // type -> groups
  std::vector<CountRow> edges_per_type;    // assoc type -> edges
  std::vector<CountRow> per_master;        // master -> observations
  std::vector<CountRow> per_kind;          // kind name -> observations having the bit
  std::vector<NightRow> per_night;
  std::vector<NetworkRow> networks;
  std::vector<FailedRow> recent_failures;  // newest first, at most 10
};

// ---- provenance ------------------------------------------------------------

struct CalStep {
  int depth = 0;             // 1 = the observation's own cal
  std::string from_uid;      // the observation whose files point here
  std::string uid;           // the cal observation
  DataKindBits data_kind = 0;
  std::string networks;      // compressed networks from the edge context ("" when none)
};

struct GroupRef {
  std::string uid;
  std::string name;
  std::string type;
};

struct Provenance {
  ObsRow obs;
  std::vector<GroupRef> groups;
  std::vector<CalStep> cal_chain;  // breadth first; cycles cut
  std::vector<std::string> reduced;  // uids of reduced products
  std::vector<std::string> referenced_by;  // raw observations that use this one as their cal
};

// ---- export ----------------------------------------------------------------

enum class ExportFormat { csv, parquet, json };

// A `--where` term: COLUMN OP VALUE, parsed and validated against the export's
// columns by the repository (never pasted into SQL).
struct WhereTerm {
  std::string column;
  std::string op;  // = != < <= > >= like ilike
  std::string value;
};

// A filter term that does not parse as COLUMN OP VALUE.
struct BadWhereTerm : UserError {
  BadWhereTerm(std::string text, std::size_t position, std::string why);
  std::string text;           // the term as given
  std::size_t position = 0;   // 1-based character where it went wrong
  std::string why;
};

// Parses "column OP value" (value may be quoted with ' or "). Throws BadWhereTerm.
WhereTerm parse_where(const std::string& text);

struct ExportRequest {
  std::string output;
  std::string what = "obs";  // obs | files | groups | edges | a schema table
  std::vector<ObsSpec> specs;
  std::vector<WhereTerm> where;
  ExportFormat format = ExportFormat::csv;
  std::optional<std::int64_t> limit;  // at most N rows (in the export's order)
  bool force = false;  // replace an existing OUTPUT (never the open database)
};

// From the extension of a path (.csv, .parquet/.pq, .json/.ndjson); nullopt otherwise.
std::optional<ExportFormat> export_format_from_path(const std::string& path);
std::optional<ExportFormat> parse_export_format(const std::string& text);

struct ExportResult {
  std::string path;
  std::string what;
  std::string format;
  std::int64_t rows = 0;
};

// ---- coverage --------------------------------------------------------------

// (master, "YYYY-MM-DD") -> networks (roach numbers) seen that UT night, ascending (query/coverage.h).
using NightNetworks = std::map<std::pair<std::string, std::string>, std::vector<int>>;

}  // namespace tolteca::query

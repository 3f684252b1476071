#pragma once
// Queries: read-only operations over the registry. Every operation reads a
// consistent snapshot (one read transaction) and writes nothing, except
// export(), which writes its output file (atomically: the file appears whole
// or not at all) and never the registry. User text never reaches a query's
// text: specs, filters and export filter terms become bound parameters.
//
// Large results: obs() and files() deliver rows through a callback (return
// false to stop early) so a backend can stream them (DuckDB: result chunks;
// PostgreSQL: a server-side cursor) instead of building the whole result;
// the *_all() helpers collect them for callers that want a vector.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "model/query_types.h"

namespace tolteca::storage {

// Called for every row, in the query's order; return false to stop (the rest is not read).
template <typename Row>
using RowSink = std::function<bool(Row&&)>;

// An export column: its name and its type class ("INTEGER", "DOUBLE",
// "BOOLEAN", "TIMESTAMP" or "VARCHAR"), which decides what a filter term's value must be.
struct ExportColumn {
  std::string name;
  std::string type;
};

class QueryStore {
 public:
  virtual ~QueryStore() = default;

  // Raw observations matching the filter, in the filter's order (start time or
  // obsnum; newest reverses; limit keeps the first N of that order), each with
  // its files' summary (networks, interfaces, counts), groups and cal
  // observations; with_files also fills ObsRow::files. Throws NegativeLimit.
  virtual void obs(const query::ObsFilter& filter, bool with_files, const RowSink<query::ObsRow>& sink) = 0;
  // Files of the matching observations, in sequence order, absolute paths
  // (one row per file at its best available location unless all_locations).
  virtual void files(const query::FileFilter& filter, const RowSink<query::FileRow>& sink) = 0;
  // Groups (association products). Throws UserError for an unknown type.
  virtual std::vector<query::GroupRow> groups(const query::GroupFilter& filter) = 0;
  // Counts over the whole registry (`query stats`).
  virtual query::Stats stats() = 0;
  // Provenance of each observation the specs select (at most `limit`).
  virtual std::vector<query::Provenance> provenance(const std::vector<query::ObsSpec>& specs,
                                                    std::int64_t limit = 100) = 0;
  // Every (master, UT night) with a network file of a raw observation, and its networks (query/coverage.h).
  virtual query::NightNetworks night_networks() = 0;

  // Writes the selection (obs, files, groups, edges, or a table) to
  // request.output in its format. Throws UnknownExportWhat, SpecsOnTable,
  // BadExportFilter, or UserError for an output it may not write (it never
  // writes over the registry's own files).
  virtual query::ExportResult export_rows(const query::ExportRequest& request) = 0;
  // The columns an export of `what` has (the filter-term whitelist). Throws UnknownExportWhat.
  virtual std::vector<ExportColumn> export_columns(const std::string& what) = 0;

  // Collecting forms of the streaming queries.
  std::vector<query::ObsRow> obs_all(const query::ObsFilter& filter, bool with_files = false) {
    std::vector<query::ObsRow> out;
    obs(filter, with_files, [&](query::ObsRow&& r) { out.push_back(std::move(r)); return true; });
    return out;
  }
  std::vector<query::FileRow> files_all(const query::FileFilter& filter) {
    std::vector<query::FileRow> out;
    files(filter, [&](query::FileRow&& r) { out.push_back(std::move(r)); return true; });
    return out;
  }
};

}  // namespace tolteca::storage

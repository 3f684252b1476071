#pragma once
// Each observation's file summary (schema v2 table obs_file_summary): how many distinct files it has (a
// file is its rel_path; the same file at two locations counts once), how many of them are missing at
// some location, its networks (the roach numbers with a file) and its interfaces. `query obs` reads
// these rows instead of aggregating the sources at query time (over 12 M file rows that aggregate was
// most of a 1 M-observation answer: bench/RESULTS.md "python").
//
// The table is derived: every writer that changes sources refreshes the rows of the products it
// touched, inside its own transaction (ingest batches, mark_missing, location remove/prune/rebase, the
// fixture store), and a backup import or the v2 migration recomputes all of them. It is not exported
// by `db export` (schema_tables() does not list it). A product without sources has no row.
#include <cstdint>
#include <vector>

#include "storage/duckdb/duckdb.h"

namespace tolteca::storage::duckdb {

// The table and its index (the v2 migration runs it; idempotent).
void create_file_summary_table(Connection& con);

// Replaces the summary rows of these products by what their sources hold now (ids need not be unique
// or sorted). Runs in the caller's transaction.
void refresh_file_summaries(Connection& con, std::vector<std::int64_t> product_ids);

// The product ids that have a file at this location (taken before a change to its files).
std::vector<std::int64_t> products_at_location(Connection& con, std::int64_t location_id);

// Recomputes every row from the sources (migration, backup import). Runs in the caller's transaction.
void rebuild_file_summaries(Connection& con);

// The summary as the sources give it now, for one product, computed without the table (tests compare it
// with the stored rows): n_files, n_missing, networks "0,1,5", interfaces "hwpr,toltec0".
struct FileSummaryRow {
  std::int64_t product_id = 0;
  std::int64_t n_files = 0;
  std::int64_t n_missing = 0;
  std::string networks;
  std::string interfaces;
  bool operator==(const FileSummaryRow&) const = default;
};
// Every stored row (stored = true) or every row recomputed from sources (false), by product id.
std::vector<FileSummaryRow> file_summary_rows(Connection& con, bool stored);

}  // namespace tolteca::storage::duckdb

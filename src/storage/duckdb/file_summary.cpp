// Each observation's file summary (file_summary.h).
#include "storage/duckdb/file_summary.h"

#include <fmt/format.h>

#include <algorithm>

#include "storage/duckdb/in_list.h"

namespace tolteca::storage::duckdb {

namespace {

// The summary of the sources that `where` selects, one row per product (the table's columns, in order).
// Networks sorted numerically, interfaces as text, as query obs lists them.
std::string summary_select(const std::string& where) {
  return fmt::format(
      "SELECT product_id, count(DISTINCT rel_path), count(DISTINCT rel_path) FILTER (WHERE availability = "
      "'missing'), coalesce(array_to_string(list_sort(list(DISTINCT roach) FILTER (WHERE roach IS NOT NULL)), ','), "
      "''), array_to_string(list_sort(list(DISTINCT interface)), ',') FROM sources {} GROUP BY product_id",
      where);
}

}  // namespace

void create_file_summary_table(Connection& con) {
  con.execute(
      "CREATE TABLE IF NOT EXISTS obs_file_summary (product_id BIGINT NOT NULL, n_files BIGINT NOT NULL, "
      "n_missing BIGINT NOT NULL, networks VARCHAR NOT NULL, interfaces VARCHAR NOT NULL); "
      "CREATE INDEX IF NOT EXISTS idx_obs_file_summary_product ON obs_file_summary (product_id);");
}

void refresh_file_summaries(Connection& con, std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  // Bound-size chunks as literal lists with their range: DuckDB then reads only the row groups of those
  // products (sources are appended in product order within a batch), not the whole table.
  constexpr std::size_t kChunk = 2048;
  for (std::size_t i = 0; i < ids.size(); i += kChunk) {
    std::vector<std::int64_t> chunk(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                    ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + kChunk)));
    const std::string cond = in_cond("product_id", chunk);
    con.execute("DELETE FROM obs_file_summary WHERE " + cond);
    con.execute("INSERT INTO obs_file_summary " + summary_select("WHERE " + cond));
  }
}

std::vector<std::int64_t> products_at_location(Connection& con, std::int64_t location_id) {
  std::vector<std::int64_t> out;
  auto r = con.prepare("SELECT DISTINCT product_id FROM sources WHERE location_id = $1").bind(1, location_id).execute();
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const auto* d = c.data<std::int64_t>(0);
    out.insert(out.end(), d, d + c.size());
  }
  return out;
}

void rebuild_file_summaries(Connection& con) {
  con.execute("DELETE FROM obs_file_summary");
  con.execute("INSERT INTO obs_file_summary " + summary_select(""));
}

std::vector<FileSummaryRow> file_summary_rows(Connection& con, bool stored) {
  const std::string sql =
      stored ? std::string("SELECT product_id, n_files, n_missing, networks, interfaces FROM obs_file_summary")
             : summary_select("");
  std::vector<FileSummaryRow> out;
  auto r = con.query(sql + " ORDER BY 1");
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk())
    for (std::size_t i = 0; i < c.size(); ++i)
      out.push_back({c.data<std::int64_t>(0)[i], c.data<std::int64_t>(1)[i], c.data<std::int64_t>(2)[i],
                     std::string(c.string(3, i)), std::string(c.string(4, i))});
  return out;
}

}  // namespace tolteca::storage::duckdb

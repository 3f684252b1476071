#include "reliability/reliability_support.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "storage/duckdb/duckdb.h"
#include "support/test_support.h"

namespace tolteca::test {

int kill9(pid_t pid) {
  ::kill(pid, SIGKILL);
  return wait_cli(pid);
}

namespace {

std::vector<std::string> lines(storage::duckdb::Connection& con, const std::string& select_row) {
  std::vector<std::string> out;
  auto res = con.query("SELECT CAST(r AS VARCHAR) FROM (" + select_row + ") t(r)");
  for (;;) {
    auto chunk = res.next_chunk();
    if (!chunk) break;
    for (std::size_t i = 0; i < chunk.size(); ++i)
      out.emplace_back(chunk.is_null(0, i) ? std::string("NULL") : std::string(chunk.string(0, i)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Canonical canonical_tables(const std::string& db_path, bool with_mtime) {
  storage::duckdb::Database database(db_path, /*read_only=*/true);
  storage::duckdb::Connection con(database);
  Canonical c;
  c["locations"] = lines(con, "SELECT row(label, root_path, priority) FROM locations");
  c["products"] = lines(con,
                        "SELECT row(product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, "
                        "obs_start_time, obs_goal, source_name, project_id, obs_pgm, tau, integration_time, az_deg, "
                        "el_deg, n_items, first_obsnum, last_obsnum, latest_member_time, meta) FROM products");
  c["sources"] = lines(con,
                       "SELECT row(l.label, s.rel_path, p.uid, s.interface, s.roach, s.data_kind, s.is_raw, "
                       "s.file_time, s.size, " + std::string(with_mtime ? "s.mtime_ns" : "NULL") + ", s.content_hash, s.availability, s.cal_obsnum, "
                       "s.cal_subobsnum, s.cal_scannum, s.problem, s.header) "
                       "FROM sources s LEFT JOIN products p ON p.id = s.product_id "
                       "LEFT JOIN locations l ON l.id = s.location_id");
  c["edges"] = lines(con,
                     "SELECT row(e.assoc_type, ps.uid, pd.uid, e.context) FROM edges e "
                     "LEFT JOIN products ps ON ps.id = e.src_product_id "
                     "LEFT JOIN products pd ON pd.id = e.dst_product_id");
  c["problems"] = lines(con,
                        "SELECT DISTINCT row(kind, subject, message) FROM events WHERE kind IN ('failed', 'skipped')");
  return c;
}

std::string describe_differences(const Canonical& expected, const Canonical& actual, std::size_t max_lines) {
  std::ostringstream out;
  for (const auto& [table, exp] : expected) {
    auto it = actual.find(table);
    const std::vector<std::string> empty;
    const auto& act = it == actual.end() ? empty : it->second;
    if (exp == act) continue;
    std::vector<std::string> missing, extra;
    std::set_difference(exp.begin(), exp.end(), act.begin(), act.end(), std::back_inserter(missing));
    std::set_difference(act.begin(), act.end(), exp.begin(), exp.end(), std::back_inserter(extra));
    out << table << ": expected " << exp.size() << " rows, got " << act.size() << " (" << missing.size()
        << " missing, " << extra.size() << " extra)\n";
    for (std::size_t i = 0; i < std::min(max_lines, missing.size()); ++i) out << "  - " << missing[i] << '\n';
    for (std::size_t i = 0; i < std::min(max_lines, extra.size()); ++i) out << "  + " << extra[i] << '\n';
  }
  return out.str();
}

}  // namespace tolteca::test

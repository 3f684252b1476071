// The DuckDB AssocStore: raw-observation facts (one compact row each).
#include <fmt/format.h>

#include "model/data_kind.h"
#include "model/product_type.h"
#include "storage/duckdb/assoc_store_impl.h"

namespace tolteca::storage::duckdb {

using namespace detail;

namespace {

const std::string& fact_select() {
  static const std::string sql = fmt::format(
      "SELECT id, obs_start_time, master, obsnum, subobsnum, scannum, data_kind, obs_goal, ingest_seq "
      "FROM products WHERE product_type = {}",
      lit(product_type::raw_obs));
  return sql;
}

std::vector<ObsFact> read_facts(Result r) {
  std::vector<ObsFact> out;
  duckdb_type types[9];
  for (std::size_t c = 0; c < 9; ++c) types[c] = r.column_type(c);
  for (Chunk c = r.next_chunk(); c && c.size() > 0; c = r.next_chunk()) {
    const std::size_t n = c.size();
    IntCol id(c, 0, types[0]), t(c, 1, types[1]), ob(c, 3, types[3]), sub(c, 4, types[4]), scan(c, 5, types[5]),
        kind(c, 6, types[6]), seq(c, 8, types[8]);
    const std::uint64_t* mv = c.validity(2);
    const std::uint64_t* gv = c.validity(7);
    const std::size_t base = out.size();
    out.resize(base + n);
    for (std::size_t i = 0; i < n; ++i) {
      ObsFact& f = out[base + i];
      f.id = id.get(i, 0);
      f.time = t.get(i, kNoTime);
      f.master = master_code(str_or_empty(c, 2, mv, i));
      f.obsnum = ob.get(i, 0);
      f.subobsnum = static_cast<std::int32_t>(sub.get(i, 0));
      f.scannum = static_cast<std::int32_t>(scan.get(i, 0));
      f.kind = static_cast<DataKindBits>(kind.get(i, 0));
      f.goal = goal_class_of(str_or_empty(c, 7, gv, i));
      f.ingest_seq = seq.get(i, 0);
    }
  }
  return out;
}

}  // namespace

std::vector<ObsFact> DuckAssocStore::all_facts() { return read_facts(run(fact_select())); }

std::vector<ObsFact> DuckAssocStore::pending_facts(std::int64_t watermark, std::int64_t limit) {
  std::string sql = fmt::format("{} AND ingest_seq > {} ORDER BY ingest_seq", fact_select(), watermark);
  if (limit > 0) sql += fmt::format(" LIMIT {}", limit);
  return read_facts(run(sql));
}

std::vector<ObsFact> DuckAssocStore::facts_by_ids(const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return {};
  return read_facts(run(fmt::format("{} AND {}", fact_select(), in_cond("id", unique_sorted(ids)))));
}

std::vector<ObsFact> DuckAssocStore::facts_by_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(run(fmt::format("{} AND obsnum IN {}", fact_select(), in_list(unique_sorted(obsnums)))));
}

std::vector<ObsFact> DuckAssocStore::sweeps_between(std::optional<std::int64_t> t_lo,
                                                    std::optional<std::int64_t> t_hi) {
  std::string sql = fmt::format("{} AND (data_kind & {}) <> 0", fact_select(), kRawSweepBits);
  if (t_lo && t_hi)
    sql += fmt::format(" AND obs_start_time BETWEEN {} AND {}", ts(*t_lo), ts(*t_hi));
  else if (t_lo)
    sql += fmt::format(" AND obs_start_time >= {}", ts(*t_lo));
  else if (t_hi)
    sql += fmt::format(" AND (obs_start_time <= {} OR obs_start_time IS NULL)", ts(*t_hi));
  return read_facts(run(sql));
}

std::vector<ObsFact> DuckAssocStore::target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return {};
  return read_facts(run(fmt::format("{} AND (data_kind & {}) <> 0 AND obsnum IN {}", fact_select(),
                                    bits(DataKind::TargetSweep), in_list(unique_sorted(obsnums)))));
}

std::vector<ObsFact> DuckAssocStore::goal_obs(GoalClass goal, std::uint8_t master, std::int64_t lo, std::int64_t hi) {
  const char* goals = goal == GoalClass::focus ? "('focus')" : "('astig', 'astigmatism')";
  return read_facts(run(fmt::format("{} AND obsnum BETWEEN {} AND {} AND master = '{}' AND lower(obs_goal) IN {}",
                                    fact_select(), lo, hi, master_text(master), goals)));
}

}  // namespace tolteca::storage::duckdb

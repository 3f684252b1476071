// The DuckDB IngestWriter, see ingest_repo.h: its session setup, snapshots, events, pruning, telescope
// catalogue rows and dry-run counts. write_batch() is in ingest_batch.cpp; the SQL in ingest_sql.h.
#include "storage/duckdb/ingest_repo.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "storage/duckdb/chunk_appender.h"
#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/ingest_sql.h"
#include "model/trace.h"

namespace tolteca::storage::duckdb {

using namespace ingest_sql;

IngestRepo::IngestRepo(Session& s, std::int64_t location_id, const storage::IngestOptions& options)
    : s_(s), location_id_(location_id), options_(options) {}
IngestRepo::~IngestRepo() {
  if (saved_threads_) {
    try {
      s_.con().execute(fmt::format("SET threads = {}", *saved_threads_));
    } catch (...) {
      // Best effort: the setting only affects speed.
    }
  }
}

void IngestRepo::ensure_stage() {
  if (stage_ready_) return;
  // One DuckDB thread while ingesting: the batches are small, the other cores
  // walk and parse, and DuckDB's idle workers spinning for tasks cost more CPU
  // than they save (measured: 1.4 s vs 2.4 s CPU per 100 000 files).
  // IngestOptions::db_threads overrides (for measurements; the CLI: TOLTECA_INGEST_DB_THREADS).
  const int threads = options_.db_threads ? std::max(1, *options_.db_threads) : 1;
  saved_threads_ = s_.con().scalar_int("SELECT current_setting('threads')::BIGINT");
  s_.con().execute(fmt::format("SET threads = {}", threads));
  s_.con().execute(kStageDdl);
  stage_ready_ = true;
}

namespace {
Snapshot load_snapshot_on(Connection& con, std::int64_t location_id, std::string_view prefix, bool trace) {
  Tracer timer("ingest", trace);
  auto st = con.prepare(std::string(kSnapshotSelect) + " AND starts_with(rel_path, $2)");
  st.bind(1, location_id).bind(2, prefix);
  Snapshot out;
  auto n = con.prepare("SELECT count(*) FROM sources WHERE location_id = $1 AND starts_with(rel_path, $2)");
  n.bind(1, location_id).bind(2, prefix);
  auto rows = n.execute().rows();
  if (!rows.empty()) out.reserve(static_cast<std::size_t>(std::get<std::int64_t>(rows[0][0])));
  auto res = st.execute();
  read_snapshot(res, out);
  timer.lap("load snapshot", out.size());
  return out;
}
}  // namespace

Snapshot IngestRepo::load_snapshot(std::string_view prefix) {
  return load_snapshot_on(s_.con(), location_id_, prefix, options_.trace);
}

Snapshot load_snapshot_own_connection(Session& s, std::int64_t location_id, std::string_view prefix, bool trace) {
  Connection con(s.database());
  return load_snapshot_on(con, location_id, prefix, trace);
}

Snapshot IngestRepo::load_snapshot_for(const std::vector<std::string>& rel_paths) {
  auto st = s_.con().prepare(std::string(kSnapshotSelect) + " AND rel_path = $2");
  Snapshot out;
  for (const auto& p : rel_paths) {
    st.bind(1, location_id_).bind(2, p);
    auto res = st.execute();
    read_snapshot(res, out);
  }
  return out;
}

void IngestRepo::insert_events(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  auto st = s_.con().prepare("INSERT INTO events (kind, subject, message, details) VALUES ($1, $2, $3, $4::JSON)");
  for (const auto& e : events) st.bind(1, e.kind).bind(2, e.subject).bind(3, e.message).bind(4, e.details_json).execute();
}

std::unordered_set<std::string> IngestRepo::event_keys(const std::string& kind) {
  auto st = s_.con().prepare("SELECT subject, message FROM events WHERE kind = $1");
  st.bind(1, kind);
  std::unordered_set<std::string> out;
  auto res = st.execute();
  for_each_row(res, [&](Chunk& c, std::size_t r) {
    std::string key(c.is_null(0, r) ? std::string_view() : c.string(0, r));
    key += '\n';
    if (!c.is_null(1, r)) key += c.string(1, r);
    out.insert(std::move(key));
  });
  return out;
}

void IngestRepo::add_events(const std::vector<EventRecord>& events) {
  Transaction tx(s_.con());
  insert_events(events);
  tx.commit();
}

std::vector<std::string> IngestRepo::recompute_tel(bool from_tel_stage, bool from_file_stage) {
  std::string affected;
  if (from_tel_stage) affected = "SELECT obsnum FROM ingest_tel_stage";
  if (from_file_stage) {
    if (!affected.empty()) affected += " UNION ";
    affected += "SELECT obsnum FROM ingest_products WHERE master = 'tcs'";
  }
  std::vector<std::string> out;
  if (affected.empty()) return out;
  auto& con = s_.con();
  con.execute(fmt::format(kTelTargets, fmt::arg("affected", affected)));
  auto res = con.query("SELECT uid FROM ingest_tel_targets");
  for_each_row(res, [&](Chunk& c, std::size_t r) { out.emplace_back(c.string(0, r)); });
  if (!out.empty()) con.execute(kApplyTelTargets);
  return out;
}

BatchOutcome IngestRepo::mark_missing(const std::vector<std::string>& rel_paths,
                                      const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  stage_texts(con, rel_paths);
  Transaction tx(con);
  {
    con.execute("DELETE FROM ingest_ids");
    auto st = con.prepare(
        "INSERT INTO ingest_ids SELECT DISTINCT product_id FROM sources WHERE location_id = $1 "
        "AND availability <> 'missing' AND rel_path IN (SELECT rel_path FROM ingest_paths)");
    st.bind(1, location_id_).execute();
    auto res = con.query(
        "SELECT uid FROM products WHERE product_type = 'dp_raw_obs' AND id IN (SELECT id FROM ingest_ids)");
    for_each_row(res, [&](Chunk& c, std::size_t r) { out.changed.emplace_back(c.string(0, r)); });
    con.execute(
        "UPDATE products SET ingest_seq = nextval('seq_ingest'), updated_at = now()::TIMESTAMP "
        "WHERE product_type = 'dp_raw_obs' AND id IN (SELECT id FROM ingest_ids)");
  }
  {
    auto st = con.prepare(
        "UPDATE sources SET availability = 'missing', ingest_time = now()::TIMESTAMP "
        "WHERE location_id = $1 AND availability <> 'missing' AND rel_path IN (SELECT rel_path FROM ingest_paths)");
    st.bind(1, location_id_).execute();
  }
  {
    std::vector<std::int64_t> ids;
    auto res = con.query("SELECT id FROM ingest_ids");
    for_each_row(res, [&](Chunk& c, std::size_t r) { ids.push_back(c.data<std::int64_t>(0)[r]); });
    refresh_file_summaries(con, std::move(ids));
  }
  insert_events(events);
  tx.commit();
  return out;
}

BatchOutcome IngestRepo::apply_tel_meta(const std::vector<TelMetaRecord>& rows,
                                        const std::vector<EventRecord>& events) {
  ensure_stage();
  BatchOutcome out;
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_tel_stage");
  {
    ChunkAppender a(con, "ingest_tel_stage", kTelStageColumns);
    for (const auto& t : rows) append_tel(a, t);
    a.close();
  }
  Transaction tx(con);
  if (!rows.empty()) {
    con.execute(kUpsertTelMeta);
    out.changed = recompute_tel(true, false);
  }
  insert_events(events);
  tx.commit();
  return out;
}

namespace {
// The count a "SELECT count(*) … = $1" statement gives for one value (0 when it gives no row).
template <typename T>
std::int64_t count_for(Statement& st, const T& value) {
  st.bind(1, value);
  auto rows = st.execute().rows();
  return rows.empty() ? 0 : std::get<std::int64_t>(rows[0][0]);
}
}  // namespace

std::int64_t IngestRepo::count_existing_raw_obs(const std::vector<std::string>& uids) {
  if (uids.empty()) return 0;
  if (s_.read_only()) {  // dry runs: a read-only database takes no appends, not even to temp tables
    auto st = s_.con().prepare("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND uid = $1");
    std::int64_t n = 0;
    for (const auto& u : uids) n += count_for(st, u);
    return n;
  }
  ensure_stage();
  auto& con = s_.con();
  stage_texts(con, uids);
  return con
      .scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND uid IN "
                  "(SELECT rel_path FROM ingest_paths)")
      .value_or(0);
}

std::int64_t IngestRepo::count_unmatched_tcs_obsnums(const std::vector<std::int64_t>& obsnums) {
  if (obsnums.empty()) return 0;
  if (s_.read_only()) {  // dry runs: a read-only database takes no appends, not even to temp tables
    auto st = s_.con().prepare(
        "SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs' AND master = 'tcs' AND obsnum = $1");
    std::set<std::int64_t> distinct(obsnums.begin(), obsnums.end());
    std::int64_t n = 0;
    for (auto o : distinct)
      if (count_for(st, o) == 0) ++n;
    return n;
  }
  ensure_stage();
  auto& con = s_.con();
  stage_ids(con, obsnums);
  return con
      .scalar_int("SELECT count(DISTINCT id) FROM ingest_ids WHERE id NOT IN "
                  "(SELECT obsnum FROM products WHERE product_type = 'dp_raw_obs' AND master = 'tcs')")
      .value_or(0);
}

}  // namespace tolteca::storage::duckdb

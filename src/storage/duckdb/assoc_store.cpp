// The DuckDB AssocStore: construction, transactions, tracing, the SQL helpers
// of assoc_*.cpp, and the statistics. Facts: assoc_facts.cpp; stored groups
// and cal edges: assoc_groups.cpp; writes and the state: assoc_write.cpp;
// named groups: assoc_named.cpp.
#include "storage/duckdb/assoc_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "model/product_type.h"
#include "storage/duckdb/assoc_store_impl.h"

namespace tolteca::storage::duckdb {

using namespace detail;

std::unique_ptr<AssocStore> make_assoc_store(Session& session, const AssocOptions& options) {
  return std::make_unique<DuckAssocStore>(session, options);
}

namespace {

class DuckTransaction final : public AssocStore::Transaction {
 public:
  explicit DuckTransaction(Connection& con) : tx_(con) {}
  void commit() override { tx_.commit(); }

 private:
  duckdb::Transaction tx_;
};

}  // namespace

std::unique_ptr<AssocStore::Transaction> DuckAssocStore::begin() { return std::make_unique<DuckTransaction>(con()); }

Result DuckAssocStore::run(const std::string& sql) {
  if (!options_.trace) return con().query(sql);
  const auto t0 = std::chrono::steady_clock::now();
  Result r = con().query(sql);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "[assoc sql %7.2f ms] %.400s\n", ms, sql.c_str());
  return r;
}

// ---- helpers ------------------------------------------------------------------

namespace detail {

IntCol::IntCol(const Chunk& c, std::size_t col, duckdb_type type) : valid_(c.validity(col)) {
  switch (type) {
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ: p64_ = c.data<std::int64_t>(col); break;
    case DUCKDB_TYPE_INTEGER: p32_ = c.data<std::int32_t>(col); break;
    case DUCKDB_TYPE_SMALLINT: p16_ = c.data<std::int16_t>(col); break;
    default: throw DbError(fmt::format("association engine: unexpected column type {}", static_cast<int>(type)));
  }
}

std::string_view str_or_empty(const Chunk& c, std::size_t col, const std::uint64_t* valid, std::size_t row) {
  return Chunk::valid(valid, row) ? c.string(col, row) : std::string_view();
}

std::uint8_t master_code(std::string_view m) {
  if (m == "tcs") return 0;
  if (m == "ics") return 1;
  if (m == "clip") return 2;
  return 3;
}

const char* master_text(std::uint8_t code) { return code == 0 ? "tcs" : code == 1 ? "ics" : "clip"; }

std::vector<std::int64_t> unique_sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string ts(std::int64_t micros) { return fmt::format("make_timestamp({})", micros); }

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lit(std::string_view name) { return fmt::format("'{}'", name); }

std::string group_product_types_sql() {
  std::string s;
  for (AssocType t : kGroupTypes) s += (s.empty() ? "" : ", ") + lit(group_product_type(t));
  return s;
}

std::string member_edge_types_sql() {
  std::string s;
  for (AssocType t : kGroupTypes) s += (s.empty() ? "" : ", ") + lit(assoc_edge_type(t));
  return s;
}

}  // namespace detail

// ---- statistics ------------------------------------------------------------------

RawObsStats DuckAssocStore::raw_obs_stats(std::optional<std::int64_t> count_up_to_id) {
  auto r = run(fmt::format("SELECT count(*), coalesce(max(id), 0), coalesce(max(ingest_seq), 0), "
                           "count(*) FILTER (WHERE id <= {}), epoch_us(min(obs_start_time)), "
                           "epoch_us(max(obs_start_time)) FROM products WHERE product_type = {}",
                           count_up_to_id.value_or(0), lit(product_type::raw_obs)));
  auto rows = r.rows();
  RawObsStats st{std::get<std::int64_t>(rows[0][0]), std::get<std::int64_t>(rows[0][1]),
                 std::get<std::int64_t>(rows[0][2]), std::nullopt, std::nullopt, std::nullopt};
  if (count_up_to_id) st.count_up_to = std::get<std::int64_t>(rows[0][3]);
  if (auto* v = std::get_if<std::int64_t>(&rows[0][4])) st.min_time = *v;
  if (auto* v = std::get_if<std::int64_t>(&rows[0][5])) st.max_time = *v;
  return st;
}

std::int64_t DuckAssocStore::count_raw_obs_up_to_id(std::int64_t max_id) { return *raw_obs_stats(max_id).count_up_to; }

std::int64_t DuckAssocStore::count_pending(std::int64_t watermark) {
  return con()
      .scalar_int(fmt::format("SELECT count(*) FROM products WHERE product_type = {} AND ingest_seq > {}",
                              lit(product_type::raw_obs), watermark))
      .value_or(0);
}

std::optional<std::string> DuckAssocStore::instance_id(bool create) {
  auto v = con().scalar_string("SELECT value FROM schema_meta WHERE key = 'instance_id'");
  if (v || !create) return v;
  con().execute("INSERT INTO schema_meta (key, value) VALUES ('instance_id', uuid()::VARCHAR) ON CONFLICT DO NOTHING");
  return con().scalar_string("SELECT value FROM schema_meta WHERE key = 'instance_id'");
}

}  // namespace tolteca::storage::duckdb

#include "storage/duckdb/admin.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "storage/duckdb/schema.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace tolteca::storage::duckdb {

namespace {

// Table -> the sequence that feeds its id column.
struct TableSeq {
  const char* table;
  const char* sequence;  // nullptr: no id sequence
};
constexpr TableSeq kTables[] = {
    {"schema_meta", nullptr},     {"product_types", "seq_product_types"}, {"assoc_types", "seq_assoc_types"},
    {"data_kinds", "seq_data_kinds"}, {"locations", "seq_locations"},     {"products", "seq_products"},
    {"sources", "seq_sources"},   {"tel_meta", nullptr},                  {"edges", "seq_edges"},                 {"events", "seq_events"},
    {"assoc_state", nullptr},
};

Location read_location(const std::vector<Value>& row) {
  return Location{std::get<std::int64_t>(row[0]), std::get<std::string>(row[1]), std::get<std::string>(row[2]),
                  std::get<std::int64_t>(row[3])};
}

}  // namespace

const char* table_sequence(const std::string& table) {
  for (const auto& t : kTables)
    if (table == t.table) return t.sequence;
  return nullptr;
}

const std::vector<std::string>& schema_tables() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& t : kTables) v.emplace_back(t.table);
    return v;
  }();
  return names;
}

Location upsert_location(Session& s, const std::string& label, const std::string& root_path, std::int64_t priority) {
  if (label.empty()) throw UserError("a location label must not be empty");
  auto st = s.con().prepare(
      "INSERT INTO locations (label, root_path, priority) VALUES ($1, $2, $3) "
      "ON CONFLICT (label) DO UPDATE SET root_path = excluded.root_path, priority = excluded.priority");
  st.bind(1, label).bind(2, root_path).bind(3, priority).execute();
  return *find_location(s, label);
}

std::optional<Location> find_location(Session& s, const std::string& label) {
  auto st = s.con().prepare("SELECT id, label, root_path, priority FROM locations WHERE label = $1");
  st.bind(1, label);
  auto rows = st.execute().rows();
  if (rows.empty()) return std::nullopt;
  return read_location(rows[0]);
}

std::vector<Location> list_locations(Session& s) {
  std::vector<Location> out;
  for (auto& row : s.con().query("SELECT id, label, root_path, priority FROM locations ORDER BY priority DESC, label").rows())
    out.push_back(read_location(row));
  return out;
}

std::optional<std::int64_t> database_file_size(const Session& s) {
  if (s.url().in_memory()) return std::nullopt;
  std::error_code ec;
  auto size = fs::file_size(s.url().path, ec);
  if (ec) return std::nullopt;
  std::int64_t total = static_cast<std::int64_t>(size);
  auto wal = fs::file_size(s.url().path + ".wal", ec);
  if (!ec) total += static_cast<std::int64_t>(wal);
  return total;
}

std::optional<std::int64_t> database_memory(Session& s) {
  auto res = s.con().query("SELECT CAST(sum(memory_usage_bytes) AS BIGINT) FROM duckdb_memory()");
  for (auto& row : res.rows())
    if (const auto* v = std::get_if<std::int64_t>(&row[0])) return *v;
  return std::nullopt;
}

DbInfo db_info(Session& s) {
  DbInfo info;
  info.url = s.url().text;
  info.path = s.url().path;
  info.backend_version = library_version();
  info.schema_version = read_schema_version(s.con()).value_or(0);
  info.file_size = database_file_size(s);
  for (const auto& t : schema_tables())
    info.tables.push_back({t, s.con().scalar_int("SELECT count(*) FROM " + quote_identifier(t)).value_or(0)});
  info.locations = list_locations(s);
  for (const char* table : {"product_types", "assoc_types"}) {
    auto& out = std::string(table) == "product_types" ? info.product_types : info.assoc_types;
    for (auto& row : s.con().query(fmt::format("SELECT name, description FROM {} ORDER BY id", table)).rows())
      out.push_back({value_to_string(row[0]), value_to_string(row[1]), 0});
  }
  for (auto& row : s.con().query("SELECT name, bit, description FROM data_kinds ORDER BY bit").rows())
    info.data_kinds.push_back({value_to_string(row[0]), value_to_string(row[2]), std::get<std::int64_t>(row[1])});
  return info;
}

VacuumReport vacuum(Session& s) {
  VacuumReport r;
  r.size_before = database_file_size(s);
  s.con().execute("CHECKPOINT");
  s.con().execute("VACUUM");
  s.con().execute("ANALYZE");
  s.con().execute("CHECKPOINT");
  r.size_after = database_file_size(s);
  return r;
}

}  // namespace tolteca::storage::duckdb

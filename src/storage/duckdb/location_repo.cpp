#include "storage/duckdb/location_repo.h"

#include "storage/duckdb/file_summary.h"

#include <fmt/format.h>

#include "model/error.h"

namespace tolteca::storage::duckdb {

namespace {

std::int64_t count(Session& s, const char* sql, std::int64_t id, const std::string* text = nullptr) {
  auto st = s.con().prepare(sql);
  st.bind(1, id);
  if (text) st.bind(2, *text);
  auto rows = st.execute().rows();
  return rows.empty() ? 0 : std::get<std::int64_t>(rows[0][0]);
}

}  // namespace

LocationUsage location_usage(Session& s, std::int64_t location_id) {
  auto st = s.con().prepare(
      "SELECT count(*), count(*) FILTER (WHERE availability = 'missing') FROM sources WHERE location_id = $1");
  st.bind(1, location_id);
  auto rows = st.execute().rows();
  return {std::get<std::int64_t>(rows[0][0]), std::get<std::int64_t>(rows[0][1])};
}

Location add_location(Session& s, const std::string& label, const std::string& root_path, std::int64_t priority) {
  if (label.empty()) throw UserError("a location label must not be empty");
  if (auto existing = find_location(s, label))
    throw UserError(fmt::format("location {} exists already (root {}); use 'db location move {} NEWROOT' to change "
                                "its root",
                                label, existing->root_path, label));
  auto st = s.con().prepare("INSERT INTO locations (label, root_path, priority) VALUES ($1, $2, $3)");
  st.bind(1, label).bind(2, root_path).bind(3, priority).execute();
  return *find_location(s, label);
}

std::int64_t count_files_outside(Session& s, std::int64_t location_id, const std::string& prefix) {
  if (prefix.empty()) return 0;
  return count(s, "SELECT count(*) FROM sources WHERE location_id = $1 AND NOT starts_with(rel_path, $2)",
               location_id, &prefix);
}

std::int64_t rebase_location(Session& s, std::int64_t location_id, const std::string& new_root,
                             const std::string& strip_prefix, const std::string& add_prefix) {
  Transaction tx(s.con());
  if (auto outside = count_files_outside(s, location_id, strip_prefix); outside > 0)
    throw UserError(fmt::format("{} file(s) of the location are not under {}; nothing changed", outside,
                                strip_prefix));
  std::int64_t n = 0;
  if (!strip_prefix.empty() || !add_prefix.empty()) {
    auto st = s.con().prepare(
        "UPDATE sources SET rel_path = $1 || substr(rel_path, $2) WHERE location_id = $3");
    st.bind(1, add_prefix).bind(2, static_cast<std::int64_t>(strip_prefix.size()) + 1).bind(3, location_id);
    n = st.execute().rows_changed();
    refresh_file_summaries(s.con(), products_at_location(s.con(), location_id));  // paths decide distinctness
  }
  auto st = s.con().prepare("UPDATE locations SET root_path = $1 WHERE id = $2");
  st.bind(1, new_root).bind(2, location_id).execute();
  tx.commit();
  return n;
}

namespace {
// Runs a statement with the location id as $1; returns the rows it changed.
std::int64_t for_location(Session& s, const char* sql, std::int64_t location_id) {
  return s.con().prepare(sql).bind(1, location_id).execute().rows_changed();
}
}  // namespace

std::int64_t remove_location(Session& s, std::int64_t location_id) {
  Transaction tx(s.con());
  auto touched = products_at_location(s.con(), location_id);
  const std::int64_t n = for_location(s, "DELETE FROM sources WHERE location_id = $1", location_id);
  for_location(s, "DELETE FROM locations WHERE id = $1", location_id);
  refresh_file_summaries(s.con(), std::move(touched));
  tx.commit();
  return n;
}

std::int64_t prune_missing_files(Session& s, std::int64_t location_id) {
  Transaction tx(s.con());
  auto touched = products_at_location(s.con(), location_id);
  const std::int64_t n =
      for_location(s, "DELETE FROM sources WHERE location_id = $1 AND availability = 'missing'", location_id);
  if (n > 0) refresh_file_summaries(s.con(), std::move(touched));
  tx.commit();
  return n;
}

}  // namespace tolteca::storage::duckdb

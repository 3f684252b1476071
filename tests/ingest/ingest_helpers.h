#pragma once
// Shared by tests/ingest and tests/e2e: building test trees and a canonical,
// id- and time-free projection of what ingestion stored.
#include <algorithm>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/session.h"
#include "support/test_db.h"

namespace tolteca::test {

inline void touch(const std::filesystem::path& p) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).flush();
}

// Zero-byte files under root at these relative paths.
inline void make_files(const std::filesystem::path& root, const std::vector<std::string>& rels) {
  for (const auto& r : rels) touch(root / r);
}

// Rows of a query as "a|b|c" strings (NULL as "∅"), sorted.
inline std::vector<std::string> rows_of(storage::duckdb::Connection& con, const std::string& sql) {
  std::vector<std::string> out;
  for (auto& row : con.query(sql).rows()) {
    std::string s;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) s += '|';
      s += std::holds_alternative<std::monostate>(row[i]) ? std::string("∅") : storage::duckdb::value_to_string(row[i]);
    }
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Everything ingestion decides, without ids, timestamps of the run or ingest_seq values.
inline std::vector<std::string> canonical_state(storage::duckdb::Connection& con) {
  std::vector<std::string> out;
  auto add = [&](const char* tag, const std::string& sql) {
    for (auto& r : rows_of(con, sql)) out.push_back(std::string(tag) + ":" + r);
  };
  add("product",
      "SELECT product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, obs_start_time, obs_goal, "
      "source_name, project_id, obs_pgm, tau, integration_time, az_deg, el_deg, meta::VARCHAR, ingest_seq IS NULL "
      "FROM products");
  add("source",
      "SELECT p.uid, l.label, s.rel_path, s.interface, s.roach, s.data_kind, s.is_raw, s.file_time, s.obs_start_time, "
      "s.size, s.mtime_ns, s.availability, s.cal_obsnum, s.cal_subobsnum, s.cal_scannum, s.problem, s.header::VARCHAR "
      "FROM sources s JOIN products p ON p.id = s.product_id JOIN locations l ON l.id = s.location_id");
  add("edge",
      "SELECT e.assoc_type, a.uid, b.uid, e.context::VARCHAR FROM edges e JOIN products a ON a.id = e.src_product_id "
      "JOIN products b ON b.id = e.dst_product_id");
  add("tel",
      "SELECT master, obsnum, subobsnum, scannum, origin, origin_rank, obs_goal, source_name, project_id, obs_pgm, tau, "
      "integration_time, az_deg, el_deg, extra::VARCHAR FROM tel_meta");
  return out;
}

// "" when equal; else the first lines only on one side (for readable failures).
inline std::string diff(const std::vector<std::string>& a, const std::vector<std::string>& b, std::size_t max = 8) {
  std::vector<std::string> only_a, only_b;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
  std::string out;
  for (std::size_t i = 0; i < only_a.size() && i < max; ++i) out += "  - " + only_a[i] + "\n";
  for (std::size_t i = 0; i < only_b.size() && i < max; ++i) out += "  + " + only_b[i] + "\n";
  if (!out.empty()) out = std::to_string(only_a.size()) + " only left, " + std::to_string(only_b.size()) + " only right:\n" + out;
  return out;
}
template <typename Set>
inline std::string diff(const Set& a, const Set& b) {
  return diff(std::vector<std::string>(a.begin(), a.end()), std::vector<std::string>(b.begin(), b.end()));
}

inline std::unique_ptr<storage::duckdb::Session> create_db(const std::filesystem::path& path) {
  return fresh_registry(path.string());
}

}  // namespace tolteca::test

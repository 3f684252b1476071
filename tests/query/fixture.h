#pragma once
// Test-only helpers that write registry rows directly (products, sources,
// edges, events, locations) as docs/ARCHITECTURE.md describes them, so the
// query part can be tested before ingest/assoc land.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/duckdb/session.h"
#include "model/quartet.h"

namespace tolteca::test {

struct Registry {
  std::unique_ptr<storage::duckdb::Session> session;
  storage::duckdb::Connection& con() { return session->con(); }

  // Opens (creating) the database at url ("duckdb:///:memory:" or a file).
  explicit Registry(const std::string& url = "duckdb:///:memory:");

  std::int64_t location(const std::string& label, const std::string& root, int priority = 0);
  // A raw observation; start is "YYYY-MM-DDTHH:MM:SS".
  std::int64_t raw_obs(const Quartet& q, const std::string& start, std::uint32_t kind,
                       const std::optional<std::string>& goal = {}, const std::optional<std::string>& source = {},
                       const std::optional<std::string>& project = {}, std::optional<double> tau = {});
  std::int64_t source(std::int64_t product_id, std::int64_t location_id, const std::string& rel_path,
                      const std::string& interface, std::uint32_t kind, bool available = true, bool is_raw = true);
  // Network files toltecN for each N in networks, plus tel_toltec for tcs; returns the number of files.
  int network_files(std::int64_t product_id, std::int64_t location_id, const Quartet& q, const std::string& stamp,
                    const std::vector<int>& networks, const std::string& suffix, std::uint32_t kind);
  // A group product (type "cal_group" …) with members (ids) in order; returns its id.
  std::int64_t group(const std::string& type, const std::string& name, const std::vector<std::int64_t>& members);
  std::int64_t reduced(const Quartet& q, std::int64_t raw_id);
  void edge(const std::string& assoc_type, std::int64_t src, std::int64_t dst, const std::string& context = "");
  void event(const std::string& kind, const std::string& subject, const std::string& message);
};

}  // namespace tolteca::test

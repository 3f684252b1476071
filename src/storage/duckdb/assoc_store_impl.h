#pragma once
// Internals of the DuckDB AssocStore: the class and the SQL helpers its
// files share (assoc_*.cpp in this folder). Not for use outside it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/in_list.h"
#include "storage/duckdb/session.h"
#include "storage/assoc_store.h"

namespace tolteca::storage::duckdb {

class DuckAssocStore final : public AssocStore {
 public:
  DuckAssocStore(Session& s, AssocOptions options) : s_(s), options_(options) {}

  std::unique_ptr<Transaction> begin() override;
  bool read_only() const override { return s_.read_only(); }
  RawObsStats raw_obs_stats(std::optional<std::int64_t> count_up_to_id) override;
  std::int64_t count_raw_obs_up_to_id(std::int64_t max_id) override;
  std::int64_t count_pending(std::int64_t watermark) override;
  std::optional<std::string> instance_id(bool create) override;
  std::vector<ObsFact> all_facts() override;
  std::vector<ObsFact> pending_facts(std::int64_t watermark, std::int64_t limit) override;
  std::vector<ObsFact> facts_by_ids(const std::vector<std::int64_t>& ids) override;
  std::vector<ObsFact> facts_by_obsnums(const std::vector<std::int64_t>& obsnums) override;
  std::vector<ObsFact> sweeps_between(std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi) override;
  std::vector<ObsFact> target_sweeps_with_obsnums(const std::vector<std::int64_t>& obsnums) override;
  std::vector<ObsFact> goal_obs(GoalClass goal, std::uint8_t master, std::int64_t lo, std::int64_t hi) override;
  std::vector<StoredGroup> groups_all(AssocType t) override;
  void load_members(AssocType t, std::vector<StoredGroup>& groups, bool all) override;
  std::vector<StoredGroup> groups_by_uids(AssocType t, const std::vector<std::string>& uids) override;
  std::vector<std::pair<AssocType, StoredGroup>> groups_containing(const std::vector<std::int64_t>& member_ids) override;
  std::vector<StoredGroup> groups_overlapping_time(AssocType t, std::optional<std::int64_t> t_lo, std::optional<std::int64_t> t_hi) override;
  std::vector<StoredGroup> groups_with_first_obsnums(AssocType t, const std::vector<std::int64_t>& obsnums) override;
  std::vector<StoredGroup> groups_overlapping_obsnums(AssocType t, std::uint8_t master, std::int64_t lo, std::int64_t hi) override;
  std::int64_t count_groups(AssocType t) override;
  std::vector<CalPointer> all_pointers() override;
  std::vector<CalPointer> pointers_of(const std::vector<std::int64_t>& src_ids) override;
  std::vector<CalPointer> pointers_of_or_to(const std::vector<std::int64_t>& src_ids, const std::vector<std::int64_t>& obsnums) override;
  std::vector<CalPointer> pointers_to_obsnums(const std::vector<std::int64_t>& obsnums) override;
  std::vector<StoredCalEdge> cal_edges_all() override;
  std::vector<StoredCalEdge> cal_edges_from(const std::vector<std::int64_t>& src_ids) override;
  std::int64_t count_cal_edges() override;
  AssocDump dump() override;
  void apply(const StoreDiff& diff) override;
  void log_event(const std::string& message, const std::string& details_json) override;
  std::vector<std::int64_t> resolve_spec(const query::ObsSpec& spec) override;
  std::optional<std::int64_t> product_by_uid_or_name(const std::string& text) override;
  std::optional<std::int64_t> named_group_id(const std::string& name) override;
  std::int64_t create_named_group(const std::string& name) override;
  std::int64_t add_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids) override;
  std::int64_t remove_named_members(std::int64_t group_id, const std::vector<std::int64_t>& ids) override;
  void delete_named_group(std::int64_t group_id) override;
  std::vector<NamedGroupRow> named_groups() override;
  std::vector<std::string> named_members(std::int64_t group_id) override;
  std::optional<std::string> read_state() override;
  void write_state(const std::string& json) override;
  void delete_state() override;

 private:
  // Runs one query (printing it with its time when options_.trace).
  Result run(const std::string& sql);
  Connection& con() { return s_.con(); }
  // n new ids from the sequence (seq_products, seq_edges).
  std::vector<std::int64_t> next_ids(const char* sequence, std::size_t n);

  Session& s_;
  AssocOptions options_;
};

namespace detail {

// "(-9223372036854775807 - 1)": kNoTime in SQL.
inline constexpr const char* kNoTimeSql = "(-9223372036854775807 - 1)";

// Integer column of any width, with NULL -> a default.
class IntCol {
 public:
  IntCol(const Chunk& c, std::size_t col, duckdb_type type);
  std::int64_t get(std::size_t row, std::int64_t dflt) const {
    if (!Chunk::valid(valid_, row)) return dflt;
    if (p64_) return p64_[row];
    if (p32_) return p32_[row];
    return p16_[row];
  }

 private:
  const std::uint64_t* valid_;
  const std::int64_t* p64_ = nullptr;
  const std::int32_t* p32_ = nullptr;
  const std::int16_t* p16_ = nullptr;
};

std::string_view str_or_empty(const Chunk& c, std::size_t col, const std::uint64_t* valid, std::size_t row);
// tcs 0, ics 1, clip 2, anything else 3 (after every master).
std::uint8_t master_code(std::string_view m);
// The master column's text for a code: "tcs", "ics", "clip".
const char* master_text(std::uint8_t code);
std::vector<std::int64_t> unique_sorted(std::vector<std::int64_t> v);
// "make_timestamp(micros)".
std::string ts(std::int64_t micros);
std::int64_t now_micros();
// "'dp_cal_group'": a vocabulary name as a SQL literal (names hold no quote).
std::string lit(std::string_view name);
// "'dp_cal_group', 'dp_drivefit', ...": the product types of the four group types.
std::string group_product_types_sql();
// "'dpa_cal_group_raw_obs', ...": their member edge kinds.
std::string member_edge_types_sql();

}  // namespace detail
}  // namespace tolteca::storage::duckdb

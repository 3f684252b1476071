// storage::duckdb::query_obs takes two paths: indexed id lookups for a few observations,
// SQL aggregation for many (> 2048). Both must give the same rows.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/query_repo.h"
#include "query/spec.h"
#include "query/fixture.h"

using namespace tolteca;

TEST(QueryRepo, ManyAndFewObservationPathsAgree) {
  test::Registry reg;
  auto& con = reg.con();
  reg.location("LMT", "/data_lmt");
  const int n = 3000;
  con.execute(fmt::format(
      "INSERT INTO products (id, product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, "
      "obs_start_time) SELECT i + 1, 'dp_raw_obs', 'ics-' || (10000 + i) || '-0-0', 'ics-' || (10000 + i) || '-0-0', "
      "'ics', 10000 + i, 0, 0, 2, TIMESTAMP '2024-01-01' + to_seconds(i * 10) FROM range({}) t(i)",
      n));
  con.execute(
      "INSERT INTO sources (id, product_id, location_id, rel_path, interface, roach, data_kind, availability) "
      "SELECT row_number() OVER (), p.id, 1, 'toltec/ics/toltec' || k || '/f_' || p.obsnum || '.nc', 'toltec' || k, "
      "k, 2, CASE WHEN p.id % 100 = 0 AND k = 1 THEN 'missing' ELSE 'available' END "
      "FROM products p, range(3) r(k) WHERE NOT (k = 2 AND p.id % 7 = 0)");
  storage::duckdb::rebuild_file_summaries(con);  // the sources were written here directly, not by a writer
  con.execute(
      "INSERT INTO edges (id, assoc_type, src_product_id, dst_product_id, context) "
      "SELECT id - 1, 'dpa_raw_obs_cal_obs', id, id - 1, NULL FROM products WHERE id > 1");
  con.execute(fmt::format(
      "INSERT INTO products (id, product_type, uid, name) SELECT {} + g + 1, 'dp_cal_group', "
      "'cal_group:ics-' || (10000 + g * 500) || '-0-0', 'ics-' || (10000 + g * 500) || '-g3-cal' FROM range(6) t(g)",
      n));
  con.execute(fmt::format(
      "INSERT INTO edges (id, assoc_type, src_product_id, dst_product_id) SELECT 100000 + g * 10 + k, "
      "'dpa_cal_group_raw_obs', {} + g + 1, g * 500 + 1 + k FROM range(6) t(g), range(3) u(k)",
      n));

  query::ObsFilter all;
  auto many = storage::duckdb::query_obs(*reg.session, all, false);
  ASSERT_EQ(many.size(), static_cast<std::size_t>(n));
  for (int i : {0, 1, 2, 6, 99, 500, 501, 1234, 2999}) {
    query::ObsFilter one;
    one.specs = {query::parse_spec(fmt::format("ics-{}", 10000 + i))};
    auto few = storage::duckdb::query_obs(*reg.session, one, false);
    ASSERT_EQ(few.size(), 1u);
    const auto& a = many[static_cast<std::size_t>(i)];
    const auto& b = few[0];
    EXPECT_EQ(a.uid, b.uid);
    EXPECT_EQ(a.n_files, b.n_files) << a.uid;
    EXPECT_EQ(a.n_missing, b.n_missing) << a.uid;
    EXPECT_EQ(a.networks, b.networks) << a.uid;
    EXPECT_EQ(a.interfaces, b.interfaces) << a.uid;
    EXPECT_EQ(a.groups, b.groups) << a.uid;
    EXPECT_EQ(a.cal, b.cal) << a.uid;
  }
  // Spot values.
  EXPECT_EQ(many[6].n_files, 2);  // id 7: no network 2
  EXPECT_EQ(many[6].networks, (std::vector<int>{0, 1}));
  EXPECT_EQ(many[99].n_missing, 1);
  EXPECT_EQ(many[501].groups, (std::vector<std::string>{"ics-10500-g3-cal"}));
  EXPECT_EQ(many[501].cal, (std::vector<std::string>{"ics-10500-0-0"}));
  EXPECT_TRUE(many[0].cal.empty());
  // --files on many observations still lists every file row.
  query::ObsFilter lim;
  lim.limit = 2100;
  auto with_files = storage::duckdb::query_obs(*reg.session, lim, true);
  std::size_t files = 0;
  for (const auto& o : with_files) files += o.files.size();
  EXPECT_EQ(files, static_cast<std::size_t>(2100 * 3 - 2100 / 7));
}

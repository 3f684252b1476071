// The SQL condition built from specs selects exactly what ObsSpec::matches
// says, values are bound (never pasted), and latest / interfaces work.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>
#include <random>
#include <set>

#include "storage/duckdb/query_repo.h"
#include "query/spec.h"
#include "model/data_kind.h"
#include "query/fixture.h"

using namespace tolteca;

namespace {

class SpecSql : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::duckdb::Transaction tx(reg.con());
    loc = reg.location("LMT", "/data_lmt");
    // A small grid of quartets over all masters.
    int minute = 0;
    for (Master m : {Master::tcs, Master::ics, Master::clip})
      for (std::int64_t o : {100, 101, 102, 110, 18366})
        for (int sub = 0; sub < 4; ++sub)
          for (int scan = 0; scan < 3; ++scan) {
            Quartet q{m, o, sub, scan};
            std::string start = fmt::format("2024-11-13T{:02d}:{:02d}:00", 10 + minute / 60, minute % 60);
            ++minute;
            auto id = reg.raw_obs(q, start, 2);
            ids.emplace(id, q);
            std::vector<int> nets{scan, 7};
            reg.network_files(id, loc, q, "2024_11_13_10_00_00", nets, "targsweep", 2);
          }
    tx.commit();
  }

  std::set<std::int64_t> select_obs(const std::vector<std::string>& texts) {
    auto cond = storage::duckdb::spec_condition(query::parse_specs(texts), storage::duckdb::SpecTarget::observations);
    auto st = reg.con().prepare("SELECT p.id FROM products p WHERE p.product_type = 'dp_raw_obs' AND " + cond.sql);
    for (std::size_t i = 0; i < cond.params.size(); ++i) st.bind_value(i + 1, cond.params[i]);
    std::set<std::int64_t> out;
    for (auto& row : st.execute().rows()) out.insert(std::get<std::int64_t>(row[0]));
    return out;
  }
  std::set<std::int64_t> expected(const std::vector<std::string>& texts) {
    auto specs = query::parse_specs(texts);
    std::set<std::int64_t> out;
    for (auto& [id, q] : ids)
      for (auto& s : specs)
        if (s.matches(q)) out.insert(id);
    return out;
  }

  test::Registry reg;
  std::int64_t loc = 0;
  std::map<std::int64_t, Quartet> ids;
};

TEST_F(SpecSql, MatchesTheParserForEveryForm) {
  const std::vector<std::vector<std::string>> cases = {
      {"18366"}, {"ics-18366"}, {"ICS-18366-[0:2]"}, {"tcs-101-0-{1,2}"}, {"[]"}, {"{}"}, {"[100:102]"},
      {"[100:]"}, {"[:101]"}, {"[100:111:5]"}, {"[::2]-[1:]-2"}, {"clip-[]-3"}, {"101", "ics-110-1"},
      {"110-{0,3}-{0,2}"}, {"99"}, {"[0:10:3]-[]-[]"}, {"ics-[]-[1:4:2]-[1:]"},
  };
  for (const auto& c : cases) EXPECT_EQ(select_obs(c), expected(c)) << c[0];
}

TEST_F(SpecSql, RandomSpecsAgreeWithParser) {
  std::mt19937 rng(7);
  auto num = [&](std::vector<std::int64_t> pool) {
    std::int64_t a = pool[rng() % pool.size()];
    switch (rng() % 5) {
      case 0: return std::string("[]");
      case 1: return std::to_string(a);
      case 2: return fmt::format("{{{},{}}}", a, pool[rng() % pool.size()]);
      case 3: return fmt::format("[{}:{}]", a, a + 1 + rng() % 20);
      default: return fmt::format("[{}::{}]", a, 1 + rng() % 3);
    }
  };
  for (int i = 0; i < 200; ++i) {
    std::string t;
    switch (rng() % 4) {
      case 0: t = "tcs-"; break;
      case 1: t = "ics-"; break;
      default: break;
    }
    t += num({100, 101, 102, 110, 18366}) + "-" + num({0, 1, 2, 3}) + "-" + num({0, 1, 2});
    ASSERT_EQ(select_obs({t}), expected({t})) << t;
  }
}

TEST_F(SpecSql, ValuesAreBoundNotPasted) {
  auto cond = storage::duckdb::spec_condition(query::parse_specs({"ics-18366-{1,2}-[0:3]/7"}), storage::duckdb::SpecTarget::files);
  EXPECT_EQ(cond.sql.find("18366"), std::string::npos) << cond.sql;
  EXPECT_EQ(cond.sql.find("ics"), std::string::npos) << cond.sql;
  EXPECT_EQ(cond.sql.find("toltec7"), std::string::npos) << cond.sql;
  EXPECT_EQ(cond.params.size(), 1u + 1 + 2 + 2 + 1);
  EXPECT_EQ(storage::duckdb::spec_condition({}, storage::duckdb::SpecTarget::observations).sql, "TRUE");
}

TEST_F(SpecSql, InterfaceSelectsObservationsWithThatNetwork) {
  // Network N = scan number in the fixture (plus 7 everywhere).
  auto got = select_obs({"[]/1"});
  std::set<std::int64_t> want;
  for (auto& [id, q] : ids)
    if (q.scannum == 1) want.insert(id);
  EXPECT_EQ(got, want);
  EXPECT_EQ(select_obs({"[]/7"}).size(), ids.size());
  EXPECT_TRUE(select_obs({"[]/12"}).empty());
  // tel_toltec only for tcs.
  auto tel = select_obs({"[]/tel_toltec"});
  for (auto id : tel) EXPECT_EQ(ids[id].master, Master::tcs);
  EXPECT_EQ(tel.size(), ids.size() / 3);
}

TEST_F(SpecSql, FilesTargetRestrictsFiles) {
  auto cond = storage::duckdb::spec_condition(query::parse_specs({"ics-18366-0-[]/7"}), storage::duckdb::SpecTarget::files);
  auto st = reg.con().prepare("SELECT s.interface FROM sources s JOIN products p ON p.id = s.product_id WHERE " +
                              cond.sql);
  for (std::size_t i = 0; i < cond.params.size(); ++i) st.bind_value(i + 1, cond.params[i]);
  auto rows = st.execute().rows();
  ASSERT_EQ(rows.size(), 3u);  // scans 0..2, network 7 only
  for (auto& r : rows) EXPECT_EQ(std::get<std::string>(r[0]), "toltec7");
}

TEST_F(SpecSql, LatestIsTheNewestBySequenceOrder) {
  auto newest = [&](const std::vector<std::string>& t) {
    auto s = select_obs(t);
    EXPECT_EQ(s.size(), 1u) << t[0];
    return s.empty() ? Quartet{} : ids[*s.begin()];
  };
  EXPECT_EQ(newest({"latest"}), (Quartet{Master::clip, 18366, 3, 2}));
  EXPECT_EQ(newest({"ics-latest"}), (Quartet{Master::ics, 18366, 3, 2}));
  EXPECT_EQ(newest({"latest/1"}), (Quartet{Master::clip, 18366, 3, 1}));
  EXPECT_TRUE(select_obs({"latest/12"}).empty());
  // A tie on start time breaks by master code (clip newest), then obsnum, …
  auto a = reg.raw_obs({Master::tcs, 5, 0, 0}, "2030-01-01T00:00:00", 8);
  auto b = reg.raw_obs({Master::ics, 4, 0, 0}, "2030-01-01T00:00:00", 8);
  (void)a;
  EXPECT_EQ(select_obs({"latest"}), std::set<std::int64_t>{b});
}

}  // namespace

// The query commands end to end on a small hand-made registry (file database),
// driving the real binary: JSON shapes, filters, formats, empty results, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "storage/duckdb/duckdb.h"
#include "model/data_kind.h"
#include "query/fixture.h"
#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;
using test::run_cli;

namespace {

const std::vector<int> kNets{0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12};

class QueryCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    db_path = (dir->path() / "reg.duckdb").string();
    url = "duckdb:///" + db_path;
    test::Registry r(url);
    storage::duckdb::Transaction tx(r.con());
    auto loc = r.location("LMT", "/data_lmt");
    auto vna = r.raw_obs({Master::ics, 18340, 0, 0}, "2024-11-13T17:00:00", 1);
    r.network_files(vna, loc, {Master::ics, 18340, 0, 0}, "2024_11_13_17_00_00", kNets, "vnasweep", 1);
    auto targ = r.raw_obs({Master::ics, 18341, 0, 0}, "2024-11-13T17:05:00", 2);
    r.network_files(targ, loc, {Master::ics, 18341, 0, 0}, "2024_11_13_17_05_00", kNets, "targsweep", 2);
    auto tune = r.raw_obs({Master::ics, 18342, 0, 0}, "2024-11-13T17:10:00", 4);
    r.network_files(tune, loc, {Master::ics, 18342, 0, 0}, "2024_11_13_17_10_00", kNets, "tune", 4);
    auto ts = r.raw_obs({Master::ics, 18343, 0, 0}, "2024-11-13T17:15:00", 8);
    r.network_files(ts, loc, {Master::ics, 18343, 0, 0}, "2024_11_13_17_15_00", {0, 1, 2}, "timestream", 8);
    r.source(ts, loc, "toltec/ics/toltec3/toltec3_018343_000_0000_2024_11_13_17_15_00_timestream.nc", "toltec3", 8,
             /*available=*/false);
    r.edge("dpa_raw_obs_cal_obs", targ, vna, R"({"networks":[0,1,2,3,4,5,7,8,9,11,12]})");
    r.edge("dpa_raw_obs_cal_obs", tune, targ, R"({"networks":[0,1,2,3,4,5,7,8,9,11,12]})");
    r.edge("dpa_raw_obs_cal_obs", ts, tune, R"({"networks":[0,1,2,3]})");
    r.group("cal_group", "ics-18340-g3-cal", {vna, targ, tune});
    r.reduced({Master::ics, 18343, 0, 0}, ts);
    auto f1 = r.raw_obs({Master::tcs, 131289, 0, 1}, "2024-11-14T02:00:00", 4 | 16, "focus", "Uranus", "2024-S1-X", 0.1);
    r.network_files(f1, loc, {Master::tcs, 131289, 0, 1}, "2024_11_14_02_00_00", {0, 1}, "tune", 4);
    auto f2 = r.raw_obs({Master::tcs, 131289, 0, 2}, "2024-11-14T02:01:00", 8 | 16, "focus", "Uranus", "2024-S1-X", 0.1);
    r.network_files(f2, loc, {Master::tcs, 131289, 0, 2}, "2024_11_14_02_01_00", {0, 1}, "", 8);
    auto f3 = r.raw_obs({Master::tcs, 131290, 0, 2}, "2024-11-14T02:05:00", 8 | 16, "Focus", "uranus", "2024-S1-X", 0.12);
    r.network_files(f3, loc, {Master::tcs, 131290, 0, 2}, "2024_11_14_02_05_00", {0, 1}, "", 8);
    r.edge("dpa_raw_obs_cal_obs", f2, f1, R"({"networks":[0,1]})");
    r.group("focus_group", "tcs-131289to131290-g3-focus", {f1, f2, f3});
    r.event("failed", "toltec/ics/toltec5/bad.nc", "truncated netCDF");
    tx.commit();
  }
  static void TearDownTestSuite() {
    delete dir;
    dir = nullptr;
  }

  static test::RunResult q(std::vector<std::string> args) {
    args.insert(args.begin(), "query");
    args.push_back("--db");
    args.push_back(url);
    return run_cli(args);
  }
  static json qjson(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = q(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  static inline test::TempDir* dir = nullptr;
  static inline std::string db_path, url;
};

TEST_F(QueryCli, ObsJsonShapeAndValues) {
  auto j = qjson({"obs", "ics-18340"});
  ASSERT_EQ(j.size(), 1u);
  auto& o = j[0];
  for (const char* k : {"uid", "master", "obsnum", "subobsnum", "scannum", "start_time", "data_kind", "kinds",
                        "networks", "interfaces", "n_files", "n_missing", "obs_goal", "source_name", "project_id",
                        "obs_pgm", "tau", "groups", "cal"})
    EXPECT_TRUE(o.contains(k)) << k;
  EXPECT_EQ(o["uid"], "ics-18340-0-0");
  EXPECT_EQ(o["start_time"], "2024-11-13T17:00:00Z");
  EXPECT_EQ(o["kinds"], json::array({"VnaSweep"}));
  EXPECT_EQ(o["networks"], "0-5,7-9,11,12");
  EXPECT_EQ(o["n_files"], 11);
  EXPECT_EQ(o["groups"], json::array({"ics-18340-g3-cal"}));
  EXPECT_EQ(o["cal"], json::array());
  EXPECT_FALSE(o.contains("files"));

  auto ts = qjson({"obs", "ics-18343-0-0"})[0];
  EXPECT_EQ(ts["cal"], json::array({"ics-18342-0-0"}));
  EXPECT_EQ(ts["n_files"], 4);
  EXPECT_EQ(ts["n_missing"], 1);
  EXPECT_EQ(ts["networks"], "0-3");
  auto tcs = qjson({"obs", "tcs-131289-0-2"})[0];
  EXPECT_EQ(tcs["obs_goal"], "focus");
  EXPECT_EQ(tcs["source_name"], "Uranus");
  EXPECT_DOUBLE_EQ(tcs["tau"].get<double>(), 0.1);
  EXPECT_EQ(tcs["interfaces"], json::array({"tel_toltec", "toltec0", "toltec1"}));
  EXPECT_EQ(tcs["kinds"], json::array({"RawTimeStream", "LmtTel"}));
}

TEST_F(QueryCli, ObsFilters) {
  auto uids = [](const json& j) {
    std::vector<std::string> v;
    for (auto& o : j) v.push_back(o["uid"]);
    return v;
  };
  EXPECT_EQ(qjson({"obs"}).size(), 7u);
  EXPECT_EQ(uids(qjson({"obs", "ics-[18341:18343]"})), (std::vector<std::string>{"ics-18341-0-0", "ics-18342-0-0"}));
  EXPECT_EQ(uids(qjson({"obs", "--kind", "VnaSweep,Tune"})),
            (std::vector<std::string>{"ics-18340-0-0", "ics-18342-0-0", "tcs-131289-0-1"}));
  EXPECT_EQ(qjson({"obs", "--kind", "RawSweep", "--master", "ICS"}).size(), 3u);
  EXPECT_EQ(qjson({"obs", "--goal", "FOCUS"}).size(), 3u);
  EXPECT_EQ(qjson({"obs", "--source", "uranus", "--project", "2024-s1-x"}).size(), 3u);
  EXPECT_EQ(qjson({"obs", "--since", "2024-11-14"}).size(), 3u);
  EXPECT_EQ(qjson({"obs", "--until", "2024-11-13T17:10"}).size(), 2u);
  EXPECT_EQ(uids(qjson({"obs", "--limit", "1", "--sort", "obsnum"})), (std::vector<std::string>{"ics-18340-0-0"}));
  EXPECT_EQ(uids(qjson({"obs", "latest"})), (std::vector<std::string>{"tcs-131290-0-2"}));
  EXPECT_EQ(uids(qjson({"obs", "latest/toltec3"})), (std::vector<std::string>{"ics-18343-0-0"}));
  // Specs that look like CLI11 list literals reach the parser verbatim.
  EXPECT_EQ(qjson({"obs", "[]"}).size(), 7u);
  EXPECT_EQ(qjson({"obs", "{}"}).size(), 7u);
  EXPECT_EQ(qjson({"obs", "[18341:18343]"}).size(), 2u);
  EXPECT_EQ(qjson({"obs", "{18341,131290}"}).size(), 2u);
  EXPECT_EQ(qjson({"obs", "[131289:]", "[:18341]"}).size(), 4u);
  EXPECT_EQ(uids(qjson({"obs", "131289-[]-2", "18342"})),
            (std::vector<std::string>{"ics-18342-0-0", "tcs-131289-0-2"}));
}

TEST_F(QueryCli, ObsWithFiles) {
  auto j = qjson({"obs", "tcs-131289-0-2", "--files"});
  ASSERT_EQ(j[0]["files"].size(), 3u);
  EXPECT_EQ(j[0]["files"][0]["path"], "/data_lmt/toltec/tcs/toltec0/toltec0_131289_000_0002_2024_11_14_02_01_00.nc");
  EXPECT_EQ(j[0]["files"][2]["interface"], "tel_toltec");
  auto t = q({"obs", "tcs-131289-0-2", "--files"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("    /data_lmt/tel/tel_toltec_2024-11-14_131289_00_0002.nc"), std::string::npos) << t.out;
  auto csv = q({"obs", "tcs-131289-0-2", "--files", "--format", "csv"});
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 4) << csv.out;
}

TEST_F(QueryCli, EmptyResultsAreNotErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"obs", "99999"}, {"files", "99999"},
                                        {"groups", "--type", "drivefit"}, {"provenance", "99999"}}) {
    auto j = q([&] { auto a = args; a.push_back("--json"); return a; }());
    EXPECT_EQ(j.exit_code, 0) << args[0] << j.err;
    EXPECT_EQ(json::parse(j.out), json::array()) << args[0];
    auto t = q(args);
    EXPECT_EQ(t.exit_code, 0) << args[0];
    EXPECT_EQ(t.out, "") << args[0];
    EXPECT_NE(t.err.find("no "), std::string::npos) << args[0] << ": " << t.err;
  }
  auto csv = q({"obs", "99999", "--format", "csv"});
  EXPECT_EQ(csv.out.substr(0, 4), "uid,");
}

TEST_F(QueryCli, FilesArePathsOnePerLine) {
  auto r = q({"files", "ics-18343"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "/data_lmt/toltec/ics/toltec0/toltec0_018343_000_0000_2024_11_13_17_15_00_timestream.nc\n"
            "/data_lmt/toltec/ics/toltec1/toltec1_018343_000_0000_2024_11_13_17_15_00_timestream.nc\n"
            "/data_lmt/toltec/ics/toltec2/toltec2_018343_000_0000_2024_11_13_17_15_00_timestream.nc\n"
            "/data_lmt/toltec/ics/toltec3/toltec3_018343_000_0000_2024_11_13_17_15_00_timestream.nc\n");
  auto missing = q({"files", "[]", "--missing"});
  EXPECT_EQ(missing.out, "/data_lmt/toltec/ics/toltec3/toltec3_018343_000_0000_2024_11_13_17_15_00_timestream.nc\n");
  auto seven = q({"files", "[]/7"});
  EXPECT_EQ(std::count(seven.out.begin(), seven.out.end(), '\n'), 3);
  auto tel = q({"files", "tcs-[]", "--interface", "tel_toltec"});
  EXPECT_EQ(std::count(tel.out.begin(), tel.out.end(), '\n'), 3);
  auto j = qjson({"files", "ics-18343-0-0/1"});
  ASSERT_EQ(j.size(), 1u);
  for (const char* k : {"obs_uid", "interface", "roach", "data_kind", "kinds", "is_raw", "availability", "location",
                        "path", "rel_path", "size", "file_time", "problem"})
    EXPECT_TRUE(j[0].contains(k)) << k;
  EXPECT_EQ(j[0]["roach"], 1);
  EXPECT_EQ(q({"files"}).exit_code, 1);  // a spec is required
}

TEST_F(QueryCli, Groups) {
  auto all = qjson({"groups"});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["name"], "ics-18340-g3-cal");
  EXPECT_EQ(all[0]["type"], "cal_group");
  EXPECT_EQ(all[0]["n_items"], 3);
  EXPECT_EQ(all[0]["first_obsnum"], 18340);
  EXPECT_EQ(all[0]["last_obsnum"], 18342);
  EXPECT_EQ(all[0]["latest_member_time"], "2024-11-13T17:10:00Z");
  EXPECT_FALSE(all[0].contains("members"));
  auto focus = qjson({"groups", "--type", "focus_group", "--members"});
  ASSERT_EQ(focus.size(), 1u);
  ASSERT_EQ(focus[0]["members"].size(), 3u);
  EXPECT_EQ(focus[0]["members"][0]["uid"], "tcs-131289-0-1");
  EXPECT_EQ(focus[0]["members"][0]["kinds"], json::array({"Tune", "LmtTel"}));
  EXPECT_EQ(qjson({"groups", "18341"}).size(), 1u);
  EXPECT_EQ(qjson({"groups", "18343"}).size(), 0u);
  EXPECT_EQ(qjson({"groups", "--since", "2024-11-14"}).size(), 1u);
  auto bad = q({"groups", "--type", "nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown group type 'nope'"), std::string::npos) << bad.err;
  auto t = q({"groups", "--members"});
  EXPECT_NE(t.out.find("    ics-18341-0-0"), std::string::npos) << t.out;
}

std::int64_t count_rows(const std::string& reader) {
  storage::duckdb::Database d(":memory:");
  storage::duckdb::Connection c(d);
  return c.scalar_int("SELECT count(*) FROM " + reader).value_or(-1);
}

TEST_F(QueryCli, ExportFormatsReadBack) {
  test::TempDir out;
  auto pq = (out / "obs.parquet").string();
  auto r = q({"export", pq, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["rows"], 7);
  EXPECT_EQ(count_rows("read_parquet('" + pq + "')"), 7);
  auto csv = (out / "files.csv").string();
  ASSERT_EQ(q({"export", csv, "--what", "files", "ics-18343"}).exit_code, 0);
  EXPECT_EQ(count_rows("read_csv('" + csv + "', header = true)"), 4);
  auto js = (out / "groups.out").string();
  auto g = q({"export", js, "--what", "groups", "--format", "json"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  std::ifstream f(js);
  auto arr = json::parse(f);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["type"], "cal_group");
  auto edges = (out / "edges.csv").string();
  ASSERT_EQ(q({"export", edges, "--what", "edges", "ics-18343"}).exit_code, 0);
  EXPECT_EQ(count_rows("read_csv('" + edges + "', header = true)"), 2);  // cal edge + reduced edge
  auto table = (out / "events.parquet").string();
  ASSERT_EQ(q({"export", table, "--what", "events"}).exit_code, 0);
  EXPECT_EQ(count_rows("read_parquet('" + table + "')"), 1);
  auto noext = q({"export", (out / "x").string()});
  EXPECT_EQ(noext.exit_code, 1);
  EXPECT_NE(noext.err.find("--format"), std::string::npos);
}

TEST_F(QueryCli, ExportWhereIsBoundAndValidated) {
  test::TempDir out;
  auto p = (out / "w.csv").string();
  auto ok = q({"export", p, "--where", "obs_goal = focus", "--where", "tau < 0.11", "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["rows"], 2);
  auto like = q({"export", p, "--force", "--what", "files", "--where", "path like '%toltec3%'", "--json"});
  ASSERT_EQ(like.exit_code, 0) << like.err;
  EXPECT_EQ(json::parse(like.out)["rows"], 4);  // 18340..18342 network 3, and the missing 18343 one
  auto t = q({"export", p, "--force", "--where", "start_time >= 2024-11-14", "--json"});
  EXPECT_EQ(json::parse(t.out)["rows"], 3);
  // Injection attempts are values, not SQL.
  auto inj = q({"export", p, "--force", "--where", "obs_goal = 'x'' OR 1=1 --'", "--json"});
  ASSERT_EQ(inj.exit_code, 0) << inj.err;
  EXPECT_EQ(json::parse(inj.out)["rows"], 0);
  auto col = q({"export", p, "--force", "--where", "obs_goal; DROP TABLE products = 1"});
  EXPECT_EQ(col.exit_code, 1);
  auto unknown = q({"export", p, "--force", "--where", "nope = 1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown column 'nope'"), std::string::npos) << unknown.err;
  auto type = q({"export", p, "--force", "--where", "obsnum = abc"});
  EXPECT_EQ(type.exit_code, 1);
  EXPECT_NE(type.err.find("needs an integer"), std::string::npos) << type.err;
  auto op = q({"export", p, "--force", "--where", "obsnum ~ 1"});
  EXPECT_EQ(op.exit_code, 1);
  auto what = q({"export", p, "--force", "--what", "nope"});
  EXPECT_EQ(what.exit_code, 1);
  EXPECT_NE(what.err.find("unknown --what 'nope'"), std::string::npos);
  EXPECT_EQ(q({"export", p, "--force", "--what", "products", "18340"}).exit_code, 1);
  // Still all there.
  EXPECT_EQ(qjson({"obs"}).size(), 7u);
}

TEST_F(QueryCli, Stats) {
  auto j = qjson({"stats"});
  EXPECT_EQ(j["observations"], 7);
  EXPECT_EQ(j["files"], 11 * 3 + 4 + 3 * 3);
  EXPECT_EQ(j["missing_files"], 1);
  EXPECT_EQ(j["groups"], 2);
  EXPECT_EQ(j["reduced"], 1);
  EXPECT_EQ(j["edges"], 4 + 1 + 3 + 3);
  EXPECT_EQ(j["failed_ingests"], 1);
  EXPECT_GT(j["db_size"].get<std::int64_t>(), 0);
  EXPECT_EQ(j["per_master"], (json{{"ics", 4}, {"tcs", 3}}));
  EXPECT_EQ(j["per_kind"]["VnaSweep"], 1);
  EXPECT_EQ(j["per_kind"]["LmtTel"], 3);
  EXPECT_EQ(j["per_kind"]["RawTimeStream"], 3);
  EXPECT_EQ(j["groups_per_type"], (json{{"cal_group", 1}, {"focus_group", 1}}));
  ASSERT_EQ(j["per_night"].size(), 2u);
  EXPECT_EQ(j["per_night"][0], (json{{"night", "2024-11-13"}, {"observations", 4}}));
  EXPECT_EQ(j["networks"][0]["interface"], "toltec0");
  EXPECT_EQ(j["networks"][0]["files"], 7);
  EXPECT_EQ(j["networks"][3]["interface"], "toltec3");
  EXPECT_EQ(j["networks"][3]["files"], 4);
  EXPECT_EQ(j["networks"][3]["missing"], 1);
  EXPECT_EQ(j["networks"].back()["interface"], "tel_toltec");
  EXPECT_EQ(j["recent_failures"][0]["subject"], "toltec/ics/toltec5/bad.nc");
  auto t = q({"stats"});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("observations"), std::string::npos);
  auto csv = q({"stats", "--format", "tsv"});
  EXPECT_NE(csv.out.find("per_master\tics\t4"), std::string::npos) << csv.out;
}

TEST_F(QueryCli, Provenance) {
  auto j = qjson({"provenance", "ics-18343-0-0"});
  ASSERT_EQ(j.size(), 1u);
  auto& p = j[0];
  EXPECT_EQ(p["obs"]["uid"], "ics-18343-0-0");
  ASSERT_EQ(p["cal_chain"].size(), 3u);
  EXPECT_EQ(p["cal_chain"][0]["uid"], "ics-18342-0-0");
  EXPECT_EQ(p["cal_chain"][0]["networks"], "0-3");
  EXPECT_EQ(p["cal_chain"][1]["uid"], "ics-18341-0-0");
  EXPECT_EQ(p["cal_chain"][2]["uid"], "ics-18340-0-0");
  EXPECT_EQ(p["cal_chain"][2]["kinds"], json::array({"VnaSweep"}));
  EXPECT_EQ(p["reduced"], json::array({"reduced:ics-18343-0-0"}));
  EXPECT_EQ(p["groups"], json::array());
  auto v = qjson({"provenance", "ics-18340"})[0];
  EXPECT_EQ(v["groups"][0]["name"], "ics-18340-g3-cal");
  EXPECT_EQ(v["cal_of"], json::array({"ics-18341-0-0"}));
  auto t = q({"provenance", "ics-18343-0-0"});
  EXPECT_NE(t.out.find("   1  ics-18342-0-0      (Tune)                     <- ics-18343-0-0  networks 0-3\n"
                       "   2  ics-18341-0-0      (TargetSweep)              <- ics-18342-0-0"),
            std::string::npos)
      << t.out;
}

TEST_F(QueryCli, Errors) {
  auto bad = q({"obs", "ics-183x6"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("at character 8"), std::string::npos) << bad.err;
  // Relative times are accepted (model/time_arg.h); a word that is none is an error.
  EXPECT_EQ(q({"obs", "--since", "yesterday"}).exit_code, 0);
  EXPECT_EQ(q({"obs", "--since", "the-day-before"}).exit_code, 1);
  EXPECT_EQ(q({"obs", "--kind", "Nope"}).exit_code, 1);
  EXPECT_EQ(q({"obs", "--master", "xyz"}).exit_code, 1);
  test::TempDir d;
  auto missing = (d / "none.duckdb").string();
  for (auto cmd : {"obs", "stats"}) {
    auto r = run_cli({"query", cmd, "--db", "duckdb:///" + missing});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(missing));
  }
  EXPECT_EQ(run_cli({"query", "obs", "--help"}).exit_code, 0);
  EXPECT_NE(run_cli({"query", "export", "--help"}).out.find("Examples:"), std::string::npos);
}

}  // namespace

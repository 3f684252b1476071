// Issue 12, the input side of the trust boundary, end to end through the binary: paths from the site
// database and `ingest file` never leave the data root and one file is one source however spelled
// (case 2); numbers from headers and site-database rows are range-checked, never wrapped or truncated,
// and JSON exports hold no NaN (case 5); files in the wrong directory are flagged and the header's
// master wins (case 6). Each issue example is one test, plus one invented variant per case.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "sim/netcdf_writer.h"
#include "sim/sitedb_writer.h"
#include "sim/toltec_writer.h"
#include "storage/duckdb/duckdb.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace tolteca::test {
namespace {

constexpr const char* kStamp = "2024_11_13_17_24_46";
constexpr double kStart = 1731518686;  // 2024-11-13T17:24:46Z, the names' timestamp

// A network file name: toltec{roach}_{obsnum}_000_0000_{kStamp}_vnasweep.nc.
std::string net_name(int roach, int obsnum) {
  return fmt::format("toltec{}_{:06d}_000_0000_{}_vnasweep.nc", roach, obsnum, kStamp);
}

// Header variables of a network file: int64 values become NC_INT64 variables, doubles NC_DOUBLE.
using HeaderValue = std::variant<std::int64_t, double>;
using Header = std::map<std::string, HeaderValue>;

Header good_header(int roach, int obsnum) {
  return {{"Header.Toltec.ObsType", std::int64_t{2}},    {"Header.Toltec.Master", std::int64_t{1}},
          {"Header.Toltec.RoachIndex", std::int64_t{roach}}, {"Header.Toltec.ObsNum", std::int64_t{obsnum}},
          {"Header.Toltec.SubObsNum", std::int64_t{0}},  {"Header.Toltec.ScanNum", std::int64_t{0}},
          {"Header.Toltec.TargSweepObsNum", std::int64_t{0}}, {"Header.Toltec.TargSweepSubObsNum", std::int64_t{0}},
          {"Header.Toltec.TargSweepScanNum", std::int64_t{0}}, {"Header.Toltec.ObsStartTime", kStart},
          {"Header.Toltec.ObsEndTime", kStart + 10},     {"Header.Toltec.SampleFreq", 122.0703125}};
}

// A CDF-5 network file (CDF-5 has 64-bit integers) with these header values, written by the project's
// own netCDF writer.
void write_net(const fs::path& path, const Header& h) {
  fs::create_directories(path.parent_path());
  sim::NcWriter w(path.string(), sim::NcFormat::cdf5);
  std::vector<std::pair<int, HeaderValue>> ids;
  for (const auto& [name, v] : h)
    ids.emplace_back(w.def_var(name, std::holds_alternative<std::int64_t>(v) ? sim::NcType::int64
                                                                              : sim::NcType::double_, {}),
                     v);
  int time = w.def_dim("time", 0), iq = w.def_dim("iqlen", 2);
  w.def_var("Data.Toltec.Is", sim::NcType::int_, {time, iq});
  w.end_def();
  for (const auto& [id, v] : ids) {
    if (const auto* i = std::get_if<std::int64_t>(&v))
      w.put_int64(id, *i);
    else
      w.put_number(id, std::get<double>(v));
  }
  w.close();
}

RunResult ok(const std::vector<std::string>& args) {
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r;
}

json ok_json(const std::vector<std::string>& args) {
  auto r = ok(args);
  if (r.exit_code != 0) return json::object();
  return json::parse(r.out);
}

// path -> reason of the summary's problems with this status.
std::map<std::string, std::string> problems(const json& summary, const std::string& status) {
  std::map<std::string, std::string> out;
  for (const auto& p : summary["problems"])
    if (p["status"] == status) out[p["path"].get<std::string>()] = p["reason"].get<std::string>();
  return out;
}

// A data root, a registry with location LMT on it, and a site database path.
struct Archive {
  TempDir dir;
  fs::path root = dir / "data_lmt";
  fs::path db = dir / "reg.duckdb";
  fs::path site = dir / "toltec.sqlite";

  Archive() {
    fs::create_directories(root);
    ok({"db", "init", "--db", db.string(), "--location", "LMT", "--data-root", root.string()});
  }
  json ingest_dir() const {
    return ok_json({"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--json",
                    "--quiet"});
  }
  json ingest_site() const {
    return ok_json({"ingest", "toltec-db", site.string(), "--db", db.string(), "--location", "LMT", "--json",
                    "--quiet"});
  }
  // One string per row ("a|b", NULL as "NULL"), in query order.
  std::vector<std::string> rows(const std::string& sql) const {
    storage::duckdb::Database database(db.string(), true);
    storage::duckdb::Connection con(database);
    std::vector<std::string> out;
    for (auto& row : con.query(sql).rows()) {
      std::string s;
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) s += '|';
        s += std::holds_alternative<std::monostate>(row[i]) ? std::string("NULL") : storage::duckdb::value_to_string(row[i]);
      }
      out.push_back(std::move(s));
    }
    return out;
  }
  std::string one(const std::string& sql) const {
    auto r = rows(sql);
    return r.size() == 1 ? r[0] : fmt::format("({} rows)", r.size());
  }
  void site_sql(const std::string& sql) const {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(site.string().c_str(), &h), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(h);
    ASSERT_EQ(rc, SQLITE_OK) << msg << "\n" << sql;
  }
};

// A site-database row of an ics VNA sweep on network `roach` (file not necessarily present).
sim::SiteDbFile site_row(int roach, int obsnum) {
  sim::SiteDbFile f;
  f.date = "2024-11-13";
  f.time = "17:24:46";
  f.roach = roach;
  f.host = "clipa";
  f.obs_type = 2;
  f.master = 1;
  f.obsnum = obsnum;
  f.file_name = fmt::format("/data_lmt/toltec/ics/toltec{}/{}", roach, net_name(roach, obsnum));
  return f;
}

// ---- case 2: paths from the site database and from `ingest file` -----------------------------------

// A simulated night with its site database (the reproduction).
struct SimulatedSite : Archive {
  SimulatedSite() {
    ok({"simulate", root.string(), "--seed", "4", "--scale", "0.05", "--toltec-db", site.string(), "--quiet"});
  }
};

TEST(TrustInputs, Case2_SiteFileNameLeavingTheDataRootIsAFailedRowNeverAPath) {
  SimulatedSite a;
  const std::string evil = "/data_lmt/../../../../etc/shadow";
  a.site_sql(fmt::format(
      "INSERT INTO toltec (Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, "
      "ScanNum, TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum, FileName, Valid) SELECT Date, Time, "
      "RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, ScanNum, TargSweepObsNum, "
      "TargSweepSubObsNum, TargSweepScanNum, '{}', 1 FROM toltec ORDER BY id LIMIT 1",
      evil));
  json s = a.ingest_site();
  EXPECT_EQ(s["failed_reasons"]["path outside the data root"], 1) << s.dump(1);
  auto failed = problems(s, "failed");
  ASSERT_EQ(failed.count(evil), 1u) << s["problems"].dump(1);
  EXPECT_NE(failed[evil].find("row "), std::string::npos) << failed[evil];
  EXPECT_NE(failed[evil].find(evil), std::string::npos) << failed[evil];
  EXPECT_EQ(a.one("SELECT count(*) FROM sources WHERE rel_path LIKE '%..%' OR rel_path LIKE '%shadow%'"), "0");
  // `query files` (meant for xargs) prints only paths inside the data root.
  auto q = ok({"query", "files", "[]", "--db", a.db.string()});
  std::istringstream lines(q.out);
  int n = 0;
  const std::string prefix = fs::canonical(a.root).string() + "/";
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
    EXPECT_EQ(line.find("shadow"), std::string::npos) << line;
  }
  EXPECT_GT(n, 0);
}

TEST(TrustInputs, Case2_RespelledFileNamesAreOneSourceRow) {
  SimulatedSite a;
  a.ingest_site();
  const std::string uid = a.one(
      "SELECT p.uid FROM products p JOIN sources s ON s.product_id = p.id WHERE p.uid LIKE 'ics-%' "
      "GROUP BY p.uid ORDER BY count(*) DESC, p.uid LIMIT 1");
  const std::string n_files = fmt::format(
      "SELECT count(*) FROM sources s JOIN products p ON p.id = s.product_id WHERE p.uid = '{}'", uid);
  const std::string before = a.one(n_files), total = a.one("SELECT count(*) FROM sources");
  // Two more rows for one file of that observation: "ics/../ics" and doubled slashes.
  const std::string pick = fmt::format(
      "SELECT FileName FROM toltec WHERE Master = 1 AND ObsNum = {} ORDER BY id LIMIT 1",
      uid.substr(4, uid.find('-', 4) - 4));
  const std::string cols =
      "Date, Time, RoachIndex, HostName, ObsType, Master, RepeatLevel, ObsNum, SubObsNum, ScanNum, "
      "TargSweepObsNum, TargSweepSubObsNum, TargSweepScanNum";
  for (const char* respell : {"replace(FileName, '/toltec/ics/', '/toltec/ics/../ics/')",
                              "replace(replace(FileName, '/', '//'), '/toltec', '/./toltec')"})
    a.site_sql(fmt::format("INSERT INTO toltec ({0}, FileName, Valid) SELECT {0}, {1}, 1 FROM toltec WHERE FileName = "
                           "({2})",
                           cols, respell, pick));
  json s = a.ingest_site();
  EXPECT_EQ(s["failed"], 0) << s.dump(1);
  EXPECT_EQ(a.one(n_files), before) << uid;
  EXPECT_EQ(a.one("SELECT count(*) FROM sources"), total);
  EXPECT_EQ(a.one("SELECT count(*) FROM sources WHERE rel_path LIKE '%//%' OR rel_path LIKE '%/./%' OR rel_path "
                  "LIKE '%..%'"),
            "0");
  std::cout << "[ figures ] " << uid << " n_files " << before << " -> " << a.one(n_files) << " after 2 respelled rows\n";
}

TEST(TrustInputs, Case2Variant_IngestFileSymlinkOutOfTheRootAndFallbackAnchorEscape) {
  Archive a;
  const fs::path good = a.root / "toltec/ics/toltec0" / net_name(0, 18341);
  write_net(good, good_header(0, 18341));
  const fs::path outside = a.dir / "secret.nc";
  write_net(outside, good_header(1, 18341));
  const fs::path link = a.root / "toltec/ics/toltec1" / net_name(1, 18341);
  fs::create_directories(link.parent_path());
  fs::create_symlink(outside, link);
  // The link resolves outside the data root: that file fails, the good one is recorded.
  json s = ok_json({"ingest", "file", good.string(), link.string(), "--db", a.db.string(), "--location", "LMT",
                    "--json"});
  EXPECT_EQ(s["new"], 1) << s.dump(1);
  EXPECT_EQ(s["failed_reasons"]["path outside the data root"], 1) << s.dump(1);
  EXPECT_EQ(a.one("SELECT count(*) FROM sources"), "1");
  EXPECT_EQ(a.one("SELECT count(*) FROM sources WHERE rel_path LIKE '%secret%'"), "0");
  // A site FileName anchored at "/toltec/" that climbs out.
  auto row = site_row(2, 18341);
  row.file_name = "/mnt/archive/toltec/../../../etc/passwd";
  sim::write_site_db(a.site.string(), {row, site_row(3, 18341)});
  json t = a.ingest_site();
  EXPECT_EQ(t["failed_reasons"]["path outside the data root"], 1) << t.dump(1);
  EXPECT_EQ(a.one("SELECT count(*) FROM sources WHERE rel_path LIKE '%passwd%'"), "0");
  EXPECT_EQ(a.one("SELECT count(*) FROM sources"), "2");  // + toltec3 (missing locally)
}

// ---- case 5: numbers out of range --------------------------------------------------------------------

TEST(TrustInputs, Case5_HeaderSubObsNum2To32IsFlaggedNotZero) {
  Archive a;
  auto h = good_header(0, 18341);
  h["Header.Toltec.SubObsNum"] = std::int64_t{1} << 32;
  const std::string rel = "toltec/ics/toltec0/" + net_name(0, 18341);
  write_net(a.root / rel, h);
  json s = a.ingest_dir();
  EXPECT_EQ(s["flagged"], 1) << s.dump(1);
  auto f = problems(s, "flagged");
  EXPECT_NE(f[rel].find("Header.Toltec.SubObsNum 4294967296 is out of range"), std::string::npos) << f[rel];
  EXPECT_EQ(a.one("SELECT json_extract(header, '$.subobsnum') IS NULL FROM sources"), "true");
}

TEST(TrustInputs, Case5_HeaderMaster2To32Plus1IsNotIcs) {
  Archive a;
  auto h = good_header(0, 18341);
  h["Header.Toltec.Master"] = (std::int64_t{1} << 32) + 1;
  const std::string rel = "toltec/ics/toltec0/" + net_name(0, 18341);
  write_net(a.root / rel, h);
  json s = a.ingest_dir();
  auto f = problems(s, "flagged");
  EXPECT_NE(f[rel].find("Header.Toltec.Master 4294967297 is out of range 0..2"), std::string::npos) << s.dump(1);
  EXPECT_EQ(a.one("SELECT json_extract_string(header, '$.master') IS NULL FROM sources"), "true");
  // Recorded under the directory's master (the header gives none).
  EXPECT_EQ(a.one("SELECT p.uid FROM products p JOIN sources s ON s.product_id = p.id"), "ics-18341-0-0");
}

TEST(TrustInputs, Case5_SiteTargSweepSubObsNum5e9IsNoCalPointer) {
  Archive a;
  auto r = site_row(0, 18342);
  r.cal_obsnum = 18341;
  sim::write_site_db(a.site.string(), {r});
  a.site_sql("UPDATE toltec SET TargSweepSubObsNum = 5e9");
  json s = a.ingest_site();
  EXPECT_EQ(s["flagged"], 1) << s.dump(1);
  auto f = problems(s, "flagged");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f.begin()->second.find("TargSweepSubObsNum 5000000000 is out of range"), std::string::npos)
      << f.begin()->second;
  EXPECT_EQ(a.one("SELECT cal_obsnum, cal_subobsnum, cal_scannum FROM sources"), "NULL|NULL|NULL");
}

TEST(TrustInputs, Case5_SiteObsNumMinus5CreatesNoUid) {
  Archive a;
  auto bad = site_row(0, 18341);
  bad.obsnum = -5;
  sim::write_site_db(a.site.string(), {bad, site_row(1, 18341)});
  json s = a.ingest_site();
  EXPECT_EQ(s["failed_reasons"]["identity out of range"], 1) << s.dump(1);
  auto f = problems(s, "failed");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f.begin()->second.find("ObsNum -5 is out of range"), std::string::npos) << f.begin()->second;
  EXPECT_NE(f.begin()->second.find(net_name(0, 18341)), std::string::npos) << f.begin()->second;
  EXPECT_EQ(a.one("SELECT count(*) FROM products WHERE uid LIKE '%--%'"), "0");
  EXPECT_EQ(a.one("SELECT count(*) FROM sources"), "1");
}

TEST(TrustInputs, Case5_HeaderObsStartTimeZeroOrMinus9e11DatesNothing) {
  Archive a;
  const std::map<int, double> starts{{18341, 0.0}, {18345, -9.9e11}};
  for (const auto& [obsnum, t] : starts) {
    auto h = good_header(0, obsnum);
    h["Header.Toltec.ObsStartTime"] = t;
    write_net(a.root / "toltec/ics/toltec0" / net_name(0, obsnum), h);
  }
  json s = a.ingest_dir();
  EXPECT_EQ(s["flagged"], 2) << s.dump(1);
  for (const auto& [path, reason] : problems(s, "flagged"))
    EXPECT_NE(reason.find("Header.Toltec.ObsStartTime"), std::string::npos) << path << ": " << reason;
  // Both observations start at the name's timestamp, not in 1970 or the year -29402.
  EXPECT_EQ(a.rows("SELECT uid, strftime(obs_start_time, '%Y-%m-%dT%H:%M:%S') FROM products ORDER BY uid"),
            (std::vector<std::string>{"ics-18341-0-0|2024-11-13T17:24:46", "ics-18345-0-0|2024-11-13T17:24:46"}));
}

TEST(TrustInputs, Case5_NaNTauNeverReachesJsonExport) {
  Archive a;
  sim::TelFileSpec t;
  t.obsnum = 131289;
  t.scannum = 2;
  t.tau = std::nan("");
  t.start_time = kStart;
  const std::string rel = "tel/tel_toltec_2024-11-13_131289_00_0002.nc";
  fs::create_directories((a.root / rel).parent_path());
  sim::write_tel_file((a.root / rel).string(), t);
  json s = a.ingest_dir();
  auto f = problems(s, "flagged");
  EXPECT_NE(f[rel].find("Header.Radiometer.Tau is NaN"), std::string::npos) << s.dump(1);
  const fs::path out = a.dir / "obs.json";
  ok({"query", "export", out.string(), "--format", "json", "--what", "obs", "--db", a.db.string()});
  const std::string text = read_bytes(out);
  EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
  json j = json::parse(text);  // throws on NaN
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0]["tau"].is_null()) << j.dump();
}

TEST(TrustInputs, Case5Variant_SiteSubObsNumTextOrFractionIsNotTruncated) {
  Archive a;
  sim::write_site_db(a.site.string(), {site_row(0, 18341), site_row(1, 18341), site_row(2, 18341)});
  a.site_sql("UPDATE toltec SET SubObsNum = '12abc' WHERE RoachIndex = 0; "
             "UPDATE toltec SET SubObsNum = 1.5 WHERE RoachIndex = 1");
  json s = a.ingest_site();
  EXPECT_EQ(s["failed_reasons"]["identity out of range"], 2) << s.dump(1);
  std::string all;
  for (const auto& [p, r] : problems(s, "failed")) all += r + "\n";
  EXPECT_NE(all.find("SubObsNum '12abc' is not an integer"), std::string::npos) << all;
  EXPECT_NE(all.find("SubObsNum 1.5 is not an integer"), std::string::npos) << all;
  EXPECT_EQ(a.rows("SELECT uid FROM products"), std::vector<std::string>{"ics-18341-0-0"});
}

TEST(TrustInputs, Case5Variant_NaNAlreadyInTheRegistryExportsAsNull) {
  Archive a;
  write_net(a.root / "toltec/ics/toltec0" / net_name(0, 18341), good_header(0, 18341));
  a.ingest_dir();
  {
    storage::duckdb::Database database(a.db.string(), false);
    storage::duckdb::Connection con(database);
    con.query("UPDATE products SET tau = 'NaN'::DOUBLE, az_deg = 'inf'::DOUBLE WHERE uid = 'ics-18341-0-0'");
  }
  for (const char* what : {"obs", "products"}) {
    const fs::path out = a.dir / fmt::format("{}.json", what);
    ok({"query", "export", out.string(), "--format", "json", "--what", what, "--db", a.db.string()});
    const std::string text = read_bytes(out);
    EXPECT_EQ(text.find("NaN"), std::string::npos) << what << ": " << text;
    EXPECT_EQ(text.find("Infinity"), std::string::npos) << what << ": " << text;
    json j = json::parse(text);
    ASSERT_FALSE(j.empty());
    EXPECT_TRUE(j[0]["tau"].is_null()) << what << ": " << j[0].dump();
    EXPECT_TRUE(j[0]["az_deg"].is_null()) << what << ": " << j[0].dump();
  }
}

// ---- case 6: layout ----------------------------------------------------------------------------------

TEST(TrustInputs, Case6_NetworkFileInAnotherNetworksDirectoryIsFlagged) {
  Archive a;
  const std::string rel = "toltec/ics/toltec0/" + net_name(1, 18341);
  write_net(a.root / rel, good_header(1, 18341));
  json s = a.ingest_dir();
  EXPECT_EQ(s["flagged"], 1) << s.dump(1);
  auto f = problems(s, "flagged");
  EXPECT_NE(f[rel].find("toltec1 file in directory toltec0/"), std::string::npos) << s.dump(1);
}

TEST(TrustInputs, Case6_IcsFileUnderTcsIsRecordedAsIcsNotAPhantomTcsObservation) {
  Archive a;
  const std::string rel = "toltec/tcs/toltec0/" + net_name(0, 18341);
  write_net(a.root / rel, good_header(0, 18341));  // header Master 1 = ics
  json s = a.ingest_dir();
  auto f = problems(s, "flagged");
  EXPECT_NE(f[rel].find("header master ics differs from the directory's tcs"), std::string::npos) << s.dump(1);
  EXPECT_EQ(a.rows("SELECT uid FROM products"), std::vector<std::string>{"ics-18341-0-0"});
}

TEST(TrustInputs, Case6Variant_SiteRowPuttingANetworkFileInAnotherNetworksDirectoryIsFlagged) {
  Archive a;
  auto r = site_row(1, 18341);
  r.file_name = "/data_lmt/toltec/ics/toltec0/" + net_name(1, 18341);
  sim::write_site_db(a.site.string(), {r});
  json s = a.ingest_site();
  auto f = problems(s, "flagged");
  ASSERT_EQ(f.size(), 1u) << s.dump(1);
  EXPECT_NE(f.begin()->second.find("toltec1 file in directory toltec0/"), std::string::npos) << f.begin()->second;
}

}  // namespace
}  // namespace tolteca::test

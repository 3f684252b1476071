// The catalogue CSV parser and the site-database reader.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/site_db.h"
#include "ingest/ingest.h"
#include "ingest/tel_csv.h"
#include "model/error.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::ingest;

namespace {

const char* kHeader =
    "ObsNum,Date/Time [UT],SourceName,ObsGoal,ProjectId,ObsPgm,IntegrationTime,MainTime,RefTime,Az [deg],El [deg],"
    "\"UserAzOffset [\"\"]\",\"UserElOffset [\"\"]\",\"PaddleAzOffset [\"\"]\",\"PaddleElOffset [\"\"]\","
    "M1Zernike0 [micron],M1Zernike1 [micron],M1Zernike2 [micron],M1Zernike3 [micron],M1Zernike4 [micron],"
    "M1Zernike5 [micron],M1Zernike6 [micron],M2XOffset [mm],M2YOffset [mm],M2ZOffset [mm],Tau,CraneInBeam,FileName,"
    "Valid\n";

TelCsvParse parse(const std::string& body) {
  std::istringstream in(std::string(kHeader) + body);
  return parse_tel_csv(in, "cat.csv");
}

}  // namespace

TEST(TelCsv, ParsesRowsWithUnitsQuotesAndEmptyCells) {
  auto p = parse(
      "131281.0.2,2024-11-13 23:17:06,\"3C 273, core\",Focus,2024-S1-LMT-FOCUS,Lissajous,148,148,0,278.5,42.5,"
      "1.5,-2,0,0,0,0,0.25,0,0,0,0,0,0,-2,0.239,0,/data_lmt/tel/tel_toltec_2024-11-13_131281_00_0002.nc,1\n"
      "\n"
      "93026.0.1,,,,,,,,,,,,,,,,,,,,,,,,,,,,0\n");
  ASSERT_EQ(p.malformed.size(), 0u) << p.malformed[0].reason;
  ASSERT_EQ(p.rows.size(), 2u);
  const auto& r = p.rows[0];
  EXPECT_EQ(r.line, 2);
  EXPECT_EQ(r.meta.obsnum, 131281);
  EXPECT_EQ(r.meta.subobsnum, 0);
  EXPECT_EQ(r.meta.scannum, 2);
  EXPECT_EQ(r.meta.origin, "csv");
  EXPECT_EQ(r.meta.source_name, "3C 273, core");
  EXPECT_EQ(r.meta.obs_goal, "focus");
  EXPECT_DOUBLE_EQ(*r.meta.az_deg, 278.5);
  EXPECT_DOUBLE_EQ(*r.meta.tau, 0.239);
  auto x = nlohmann::json::parse(r.meta.extra_json);
  EXPECT_DOUBLE_EQ(x["m2_z_mm"].get<double>(), -2);
  EXPECT_DOUBLE_EQ(x["az_user_off_arcsec"].get<double>(), 1.5);
  EXPECT_DOUBLE_EQ(x["m1_zernike_micron"][2].get<double>(), 0.25);
  EXPECT_EQ(x["time"], "2024-11-13T23:17:06Z");
  EXPECT_EQ(r.valid, true);
  // Empty cells are absent values, not errors; the blank line is skipped; line numbers count it.
  EXPECT_EQ(p.rows[1].line, 4);
  EXPECT_EQ(p.rows[1].valid, false);
  EXPECT_FALSE(p.rows[1].meta.tau.has_value());
}

TEST(TelCsv, MalformedRowsAreReportedWithTheirLineAndSkipped) {
  auto p = parse(
      "131281.0,2024-11-13 23:17:06,x,Focus,p,Map,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,0,/f,1\n"
      "131282.0.2,2024-11-13 23:17:06,x,Focus,p,Map,1,1,0,abc,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,0,/f,1\n"
      "131283.0.2,too,few\n"
      "131284.0.2,2024-13-45 99:00:00,x,Focus,p,Map,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,0,/f,1\n"
      "131285.0.2,2024-11-13 23:17:06,x,Focus,p,Map,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,0,/f,maybe\n"
      "131286.0.2,2024-11-13 23:17:06,\"unterminated,Focus\n");
  EXPECT_EQ(p.rows.size(), 0u);
  ASSERT_EQ(p.malformed.size(), 6u);
  EXPECT_EQ(p.malformed[0].line, 2);
  EXPECT_NE(p.malformed[0].reason.find("ObsNum"), std::string::npos);
  EXPECT_EQ(p.malformed[1].line, 3);
  EXPECT_NE(p.malformed[1].reason.find("Az"), std::string::npos);
  EXPECT_EQ(p.malformed[2].line, 4);
  EXPECT_NE(p.malformed[2].reason.find("fields"), std::string::npos);
  EXPECT_EQ(p.malformed[3].line, 5);
  EXPECT_EQ(p.malformed[4].line, 6);
  EXPECT_NE(p.malformed[4].reason.find("Valid"), std::string::npos);
  EXPECT_EQ(p.malformed[5].line, 7);
}

// Found by the tel_csv fuzzer: a CraneInBeam no int holds was converted anyway (undefined behaviour).
TEST(TelCsv, CraneInBeamThatIsNotAWholeIntIsReported) {
  const std::string row = "131281.0.2,2024-11-13 23:17:06,x,Focus,p,Map,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.2,";
  auto p = parse(row + "4.44444e+24,/f,1\n" + row + "0.5,/f,1\n" + row + "1e10,/f,1\n" + row + "1,/f,1\n");
  ASSERT_EQ(p.malformed.size(), 3u);
  for (const auto& m : p.malformed) EXPECT_NE(m.reason.find("CraneInBeam"), std::string::npos) << m.reason;
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(p.rows[0].meta.extra_json)["crane_in_beam"], 1);
}

TEST(TelCsv, HeaderWithoutObsNumIsAUserError) {
  std::istringstream in("Date,SourceName\n2024-01-01,x\n");
  EXPECT_THROW(parse_tel_csv(in, "x.csv"), UserError);
  std::istringstream empty("");
  EXPECT_THROW(parse_tel_csv(empty, "x.csv"), UserError);
}

TEST(SiteDb, SourcesAndFilters) {
  EXPECT_EQ(storage::site_db_path("sqlite:///rel/t.sqlite"), "rel/t.sqlite");
  EXPECT_EQ(storage::site_db_path("sqlite:////abs/t.sqlite"), "/abs/t.sqlite");
  EXPECT_EQ(storage::site_db_path("/abs/t.sqlite"), "/abs/t.sqlite");
  EXPECT_THROW(storage::site_db_path("mysql://u@h/db"), UserError);  // not a SQLite file
  EXPECT_THROW(storage::site_db_path("postgres://h/db"), UserError);

  test::TempDir dir;
  std::string path = (dir / "t.sqlite").string();
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
  const char* sql =
      "CREATE TABLE toltec (id INTEGER PRIMARY KEY, Date DATE, Time TIME, RoachIndex INTEGER, HostName TEXT, "
      "ObsType INTEGER, Master INTEGER, RepeatLevel INTEGER, ObsNum INTEGER, SubObsNum INTEGER, ScanNum INTEGER, "
      "TargSweepObsNum INTEGER, TargSweepSubObsNum INTEGER, TargSweepScanNum INTEGER, FileName TEXT, Valid INTEGER);"
      "INSERT INTO toltec VALUES (1,'2024-11-13','17:24:46',8,'h',2,1,0,18341,0,0,0,0,0,"
      "'/data_lmt/toltec/ics/toltec8/toltec8_018341_000_0000_2024_11_13_17_24_46_vnasweep.nc',1);"
      "INSERT INTO toltec VALUES (2,'2024-11-13','17:30:00',8,'h',3,1,0,18342,0,0,18341,0,0,"
      "'/data_lmt/toltec/ics/toltec8/toltec8_018342_000_0000_2024_11_13_17_30_00_targsweep.nc',0);"
      "INSERT INTO toltec VALUES (3,'2024-11-14','01:00:00',8,'h',0,0,0,131289,0,2,18342,0,0,"
      "'/data_lmt/toltec/tcs/toltec8/toltec8_131289_000_0002_2024_11_14_01_00_00.nc',1);";
  ASSERT_EQ(sqlite3_exec(h, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  auto ids = [&](const storage::SiteDbFilter& f) {
    std::vector<std::int64_t> out;
    storage::read_site_db(path, f, [&](const storage::SiteDbRow& r) { out.push_back(r.id); });
    return out;
  };
  storage::SiteDbFilter f;
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{1, 3}));  // valid only by default
  f.valid_only = false;
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{1, 2, 3}));
  f.since = "2024-11-13 17:25:00";
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{2, 3}));
  f.until = "2024-11-13";
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{2}));
  f = {};
  f.valid_only = false;
  f.obs_types = parse_obs_types("vna,targ");
  EXPECT_EQ(ids(f), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(parse_obs_types("timestream"), (std::vector<int>{0, 1}));
  EXPECT_EQ(parse_obs_types("4, tune"), (std::vector<int>{4}));
  EXPECT_THROW(parse_obs_types("bogus"), UserError);
  EXPECT_EQ(site_relative_path("/data_lmt/toltec/ics/toltec8/x.nc"), "toltec/ics/toltec8/x.nc");
  EXPECT_EQ(site_relative_path("/mnt/archive/toltec/tcs/toltec0/y.nc"), "toltec/tcs/toltec0/y.nc");
  EXPECT_EQ(site_relative_path("y.nc"), "");
  EXPECT_THROW(storage::read_site_db((dir / "missing.sqlite").string(), {}, [](const storage::SiteDbRow&) {}), UserError);
}

// Issue 12, the trust boundary through the binary: cases 4 (telescope CSV resynchronises), 7 (--prune
// guards), 8 (--jobs bounds; ordinary conditions exit 1, never 2) and 10 (netCDF-4 under a directory
// whose name holds a backslash). Each TEST fails on 4d33e20. Permission cases run as the user nobody
// (run_cli_as_nobody), since the tests run as root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/duckdb/duckdb.h"
#include "storage/duckdb/schema.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace tolteca::test {
namespace {

std::string cmdline(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (a.size() > 80 ? a.substr(0, 40) + "…" : a) + " ";
  return s;
}

// Exit 1, one line on stderr holding `expect`, never "internal error".
void expect_user_error(const RunResult& r, const std::vector<std::string>& args, const std::string& expect) {
  EXPECT_EQ(r.exit_code, 1) << cmdline(args) << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(expect), std::string::npos) << cmdline(args) << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << cmdline(args) << "\nstderr: " << r.err;
  // One error line, the last one (notes such as "full regeneration" may come before it).
  const auto at = r.err.find("tolteca_db: error: ");
  EXPECT_NE(at, std::string::npos) << cmdline(args) << "\nstderr: " << r.err;
  EXPECT_EQ(r.err.find('\n', at), r.err.size() - 1) << cmdline(args) << "\nstderr: " << r.err;
}

void expect_user_error(const std::vector<std::string>& args, const std::string& expect) {
  expect_user_error(run_cli(args), args, expect);
}

std::int64_t count(const std::string& db_path, const std::string& sql) {
  storage::duckdb::Database database(db_path, true);
  storage::duckdb::Connection con(database);
  return con.scalar_int(sql).value_or(-1);
}

void execute(const std::string& db_path, const std::string& sql) {
  storage::duckdb::Database database(db_path);
  storage::duckdb::Connection con(database);
  con.execute(sql);
}

// Everything under dir (and dir) to nobody, so run_cli_as_nobody can use it.
void give_to_nobody(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    ASSERT_EQ(::lchown(e.path().c_str(), 65534, 65534), 0) << e.path();
  ASSERT_EQ(::chown(dir.c_str(), 65534, 65534), 0);
}

struct Archive {
  TempDir dir;
  fs::path root = dir / "data_lmt";
  std::string db = (dir / "reg.duckdb").string();
  explicit Archive(const std::string& format = "mix") {
    auto sim = run_cli({"simulate", root.string(), "--seed", "5", "--scale", "0.05", "--format", format, "--quiet"});
    EXPECT_EQ(sim.exit_code, 0) << sim.err;
    auto init = run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", root.string()});
    EXPECT_EQ(init.exit_code, 0) << init.err;
  }
  RunResult ingest(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"ingest", "directory", root.string(), "--db", db, "--location", "LMT",
                                  "--names-only", "--json", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  }
  std::int64_t missing() const { return count(db, "SELECT count(*) FROM sources WHERE availability = 'missing'"); }
  std::int64_t files() const { return count(db, "SELECT count(*) FROM sources"); }
};

// ---- case 4: telescope CSV -----------------------------------------------------------------------

const char* kCsvHeader = "ObsNum,Date/Time [UT],SourceName,ObsGoal,ProjectId,Az [deg],El [deg],Tau,FileName,Valid\n";

std::string csv_row(int i) {
  return std::to_string(131000 + i) + ".0.0,2024-11-13 23:17:06," + (i % 2 ? "\"3C 273\"" : "Uranus") +
         ",Science,2024-S1-MX-1,180.5,45,0.1,/f" + std::to_string(i) + ".nc,1";
}

json tel_csv(const std::string& db, const fs::path& csv) {
  auto r = run_cli({"ingest", "tel-csv", csv.string(), "--db", db, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

void expect_counts_add_up(const json& j) {
  EXPECT_EQ(j["data_rows"].get<std::int64_t>(), j["applied"].get<std::int64_t>() + j["invalid"].get<std::int64_t>() +
                                                    j["duplicates"].get<std::int64_t>() +
                                                    j["malformed"].get<std::int64_t>())
      << j.dump();
}

// The issue's reproduction: `"3C 273,` on one line of 54 swallowed the 49 later rows (4 applied, 1 reported).
TEST(TrustCsv, StrayQuoteIsOneMalformedRowAndEveryLaterRowIsApplied) {
  TempDir dir;
  std::string db = (dir / "reg.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);
  std::string text = kCsvHeader;
  for (int i = 0; i < 54; ++i)
    text += (i == 4 ? std::string("131004.0.0,2024-11-13 23:17:06,\"3C 273,Science,p,1,2,0.1,/f,1") : csv_row(i)) + "\n";
  write_bytes(dir / "cat.csv", text);
  auto j = tel_csv(db, dir / "cat.csv");
  EXPECT_EQ(j["data_rows"], 54);
  EXPECT_EQ(j["applied"], 53);
  EXPECT_EQ(j["malformed"], 1);
  ASSERT_EQ(j["malformed_rows"].size(), 1u);
  EXPECT_EQ(j["malformed_rows"][0]["line"], 6);
  expect_counts_add_up(j);
  EXPECT_EQ(count(db, "SELECT count(*) FROM tel_meta WHERE origin = 'csv'"), 53);
  EXPECT_EQ(count(db, "SELECT count(*) FROM events WHERE kind = 'failed' AND subject LIKE '%cat.csv:6'"), 1);
}

// Variant: two stray quotes 10 lines apart (the old parser paired them and merged the rows between into
// one malformed record), a duplicate quartet and an invalid row: each is counted once.
TEST(TrustCsv, TwoStrayQuotesDuplicatesAndInvalidRowsAllAddUp) {
  TempDir dir;
  std::string db = (dir / "reg.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);
  std::string text = kCsvHeader;
  for (int i = 0; i < 30; ++i) {
    std::string row = csv_row(i);
    if (i == 3) row = "131003.0.0,2024-11-13 23:17:06,\"Mars,Science,p,1,2,0.1,/f,1";
    if (i == 13) row = "131013.0.0,2024-11-13 23:17:06,Mars\",Science,\"p,1,2,0.1,/f,1";
    if (i == 20) row = csv_row(19);                // the same quartet again: the later row wins
    if (i == 25) row = row.substr(0, row.size() - 1) + "0";  // Valid = 0
    text += row + "\n";
    if (i == 7) text += "\n";  // a blank line is not a data row
  }
  write_bytes(dir / "cat.csv", text);
  auto j = tel_csv(db, dir / "cat.csv");
  EXPECT_EQ(j["data_rows"], 30);
  EXPECT_EQ(j["malformed"], 2);
  EXPECT_EQ(j["duplicates"], 1);
  EXPECT_EQ(j["invalid"], 1);
  EXPECT_EQ(j["applied"], 26);
  expect_counts_add_up(j);
  std::vector<int> lines;
  for (const auto& m : j["malformed_rows"]) lines.push_back(m["line"]);
  EXPECT_EQ(lines, (std::vector<int>{5, 16}));
}

// ---- case 7: --prune guards ------------------------------------------------------------------------

// The reproduction: the data root is an empty mount point; --prune marked every file missing.
TEST(TrustPrune, EmptyDataRootIsRefusedUnlessForced) {
  Archive a;
  ASSERT_EQ(a.ingest().exit_code, 0);
  const auto files = a.files();
  ASSERT_GT(files, 100);
  fs::rename(a.root, a.dir / "elsewhere");
  fs::create_directory(a.root);  // "unmounted"
  auto r = a.ingest({"--prune"});
  expect_user_error(r, {"ingest", "directory", "--prune"}, "is empty");
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(a.missing(), 0);
  auto forced = a.ingest({"--prune", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(a.missing(), files);
}

// Variant: 60 % of the files are gone (over the default 50 %): refused, nothing marked; a higher
// --prune-max-percent lets it through. An unreadable directory (as nobody) keeps its files.
TEST(TrustPrune, TooLargeAShareIsRefusedAndTheLimitIsAnOption) {
  Archive a;
  ASSERT_EQ(a.ingest().exit_code, 0);
  const auto files = a.files();
  std::vector<fs::path> all;
  for (const auto& e : fs::recursive_directory_iterator(a.root))
    if (e.is_regular_file()) all.push_back(e.path());
  std::sort(all.begin(), all.end());
  const std::size_t gone = all.size() * 6 / 10;
  for (std::size_t i = 0; i < gone; ++i) fs::remove(all[i]);
  auto r = a.ingest({"--prune"});
  expect_user_error(r, {"ingest", "directory", "--prune"}, "would be marked missing, more than --prune-max-percent 50");
  EXPECT_EQ(a.missing(), 0);
  EXPECT_EQ(json::parse(r.out)["missing"], 0);
  auto more = a.ingest({"--prune", "--prune-max-percent", "70"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_EQ(a.missing(), static_cast<std::int64_t>(gone));
  EXPECT_EQ(a.files(), files);
}

TEST(TrustPrune, FilesUnderAnUnreadableDirectoryAreNotMarkedMissing) {
  Archive a;
  ASSERT_EQ(a.ingest().exit_code, 0);
  fs::path sub = a.root / "toltec" / "ics" / "toltec3";
  ASSERT_TRUE(fs::is_directory(sub));
  const auto under = count(a.db, "SELECT count(*) FROM sources WHERE rel_path LIKE 'toltec/ics/toltec3/%'");
  ASSERT_GT(under, 0);
  give_to_nobody(a.dir.path());
  ASSERT_EQ(::chown(sub.c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(sub.c_str(), 0700), 0);
  auto r = run_cli_as_nobody({"ingest", "directory", a.root.string(), "--db", a.db, "--location", "LMT",
                              "--names-only", "--prune", "--json", "--quiet"});
  ASSERT_TRUE(r.has_value()) << "needs root and setpriv";
  EXPECT_EQ(r->exit_code, 0) << r->err;
  EXPECT_EQ(a.missing(), 0);
  // The unreadable walked root itself is refused.
  ASSERT_EQ(::chown(a.root.c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(a.root.c_str(), 0700), 0);
  std::vector<std::string> args{"ingest", "directory", a.root.string(), "--db", a.db, "--location", "LMT",
                                "--names-only", "--prune", "--quiet"};
  auto root = run_cli_as_nobody(args);
  expect_user_error(*root, args, "refusing --prune: cannot list");
  EXPECT_EQ(a.missing(), 0);
}

// ---- case 8: thread counts and exit codes ---------------------------------------------------------

TEST(TrustExit, JobsAreBoundedInEveryCommandThatTakesThem) {
  Archive a;
  for (const auto& jobs : {"100000", "257", "-3"}) {
    expect_user_error({"ingest", "directory", a.root.string(), "--db", a.db, "--jobs", jobs, "--quiet"}, "--jobs");
    expect_user_error({"ingest", "scan", a.root.string(), "--jobs", jobs, "--quiet"}, "--jobs");
  }
  EXPECT_EQ(a.files(), 0);  // nothing was ingested
  auto ok = run_cli({"ingest", "scan", a.root.string(), "--jobs", "256", "--quiet"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST(TrustExit, PathsOver4096BytesAreUserErrors) {
  TempDir dir;
  std::string db = (dir / "reg.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", dir.str()}).exit_code, 0);
  std::string dots;
  while (dots.size() < 4200) dots += "./";
  const std::string long_db = dir.str() + "/" + dots + "reg.duckdb";  // names an existing file, too long
  const std::string long_file = dir.str() + "/" + std::string(300, 'a') + "/" + dots + "x.nc";
  expect_user_error({"db", "info", "--db", long_db}, "File name too long");
  expect_user_error({"db", "init", "--db", long_db}, "File name too long");
  expect_user_error({"ingest", "file", long_file, "--db", db}, "cannot read");
  const std::string long_dir = dir.str() + "/" + std::string(300, 'a') + "/" + dots;
  expect_user_error({"ingest", "directory", long_dir, "--db", db, "--quiet"}, "cannot read directory");
  expect_user_error({"ingest", "scan", long_dir, "--quiet"}, "cannot read directory");
}

TEST(TrustExit, UnwritableDirectoriesAreUserErrors) {
  Archive a;
  ASSERT_EQ(a.ingest().exit_code, 0);
  fs::create_directory(a.dir / "ro");
  give_to_nobody(a.dir.path());
  ASSERT_EQ(::chmod((a.dir / "ro").c_str(), 0555), 0);
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::string ro = (a.dir / "ro").string();
  const std::string ro_db = ro + "/reg.duckdb";
  for (const Case& c : std::vector<Case>{
           {{"db", "init", "--db", ro + "/x.duckdb"}, "Permission denied"},
           {{"db", "export", "--db", a.db, ro + "/out"}, "Permission denied"},
           {{"query", "export", "--db", a.db, ro + "/out.csv"}, "Permission denied"},
       }) {
    auto r = run_cli_as_nobody(c.args);
    ASSERT_TRUE(r.has_value()) << "needs root and setpriv";
    expect_user_error(*r, c.args, c.expect);
  }
  EXPECT_TRUE(fs::is_empty(a.dir / "ro"));
  // A registry in a directory nobody may not write to (DuckDB must create its .wal beside it): writers
  // are refused up front, readers work.
  fs::copy_file(a.db, ro_db);
  ASSERT_EQ(::chmod(ro_db.c_str(), 0666), 0);
  std::vector<std::string> write{"assoc", "generate", "--db", ro_db};
  auto w = run_cli_as_nobody(write);
  expect_user_error(*w, write, "not writable");
  auto read = run_cli_as_nobody({"query", "stats", "--db", ro_db, "--read-only"});
  EXPECT_EQ(read->exit_code, 0) << read->err;
}

TEST(TrustExit, ForeignDuckDbFileIsRefusedByDbInitNamingItsTables) {
  TempDir dir;
  std::string db = (dir / "other.duckdb").string();
  execute(db, "CREATE TABLE telescope_log (t TIMESTAMP, msg VARCHAR); CREATE TABLE weather (tau DOUBLE)");
  expect_user_error({"db", "init", "--db", db}, "is not a tolteca_db registry (it has tables telescope_log, weather)");
  expect_user_error({"db", "info", "--db", db}, "is not a tolteca_db registry");
  EXPECT_EQ(count(db, "SELECT count(*) FROM information_schema.tables"), 2);  // nothing added
}

TEST(TrustExit, SchemaVersionNotANumberAndMissingVersionRow) {
  TempDir dir;
  std::string db = (dir / "reg.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", dir.str()}).exit_code, 0);
  execute(db, "UPDATE schema_meta SET value = 'one' WHERE key = 'schema_version'");
  expect_user_error({"db", "info", "--db", db}, "schema_version is 'one', not a schema version number");
  expect_user_error({"db", "init", "--db", db}, "not a schema version number");
  // The version row lost: the advice is 'db init', and db init repairs it, keeping the data.
  execute(db, "DELETE FROM schema_meta WHERE key = 'schema_version'");
  expect_user_error({"db", "info", "--db", db}, "run 'tolteca_db db init' to repair");
  auto init = run_cli({"db", "init", "--db", db});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  auto info = run_cli({"db", "info", "--db", db, "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(json::parse(info.out)["schema_version"], storage::duckdb::kSchemaVersion);
  EXPECT_EQ(count(db, "SELECT count(*) FROM locations WHERE label = 'LMT'"), 1);
  // A partial schema (a table dropped as well) is refused, not patched.
  execute(db, "DELETE FROM schema_meta WHERE key = 'schema_version'; DROP TABLE assoc_state");
  expect_user_error({"db", "init", "--db", db}, "incomplete tolteca_db schema");
}

TEST(TrustExit, StateDirectoryProblemsAreUserErrors) {
  Archive a;
  ASSERT_EQ(a.ingest().exit_code, 0);
  write_bytes(a.dir / "afile", "x");
  expect_user_error({"assoc", "generate", "--db", a.db, "--state-dir", (a.dir / "afile").string()},
                    "cannot create state directory");
  fs::create_directory(a.dir / "state");
  give_to_nobody(a.dir.path());
  ASSERT_EQ(::chmod((a.dir / "state").c_str(), 0555), 0);
  std::vector<std::string> args{"assoc", "generate", "--db", a.db, "--state-dir", (a.dir / "state").string()};
  auto r = run_cli_as_nobody(args);
  ASSERT_TRUE(r.has_value()) << "needs root and setpriv";
  expect_user_error(*r, args, "Permission denied");
  // A missing parent is created (not an error).
  auto ok = run_cli({"assoc", "generate", "--db", a.db, "--state-dir", (a.dir / "new/parent/state").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// ---- case 10: a backslash in the directory name ----------------------------------------------------

TEST(TrustNetcdf4, FileUnderABackslashDirectoryIsReadCorrectly) {
  Archive a("netcdf4");
  fs::path weird = a.dir / "we\\ird";
  fs::create_directory(weird);
  fs::rename(a.root, weird / "data_lmt");
  fs::path root = weird / "data_lmt";
  fs::path file;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename().string().rfind("toltec0_", 0) == 0) file = e.path();
  ASSERT_FALSE(file.empty());
  std::string db = (a.dir / "weird.duckdb").string();
  ASSERT_EQ(run_cli({"db", "init", "--db", db, "--location", "W", "--data-root", root.string()}).exit_code, 0);
  auto r = run_cli({"ingest", "file", file.string(), "--db", db, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["new"], 1) << r.out;
  EXPECT_EQ(j["failed"], 0) << r.out;
  EXPECT_EQ(j["files"][0]["status"], "new") << r.out;
}

// Variant: the whole tree through the helper processes (--jobs 2) and in-process
// (TOLTECA_HEADER_ISOLATION=0): no file fails, the same as the plain-named archive.
TEST(TrustNetcdf4, WholeTreeUnderABackslashDirectoryIngestsLikeAPlainOne) {
  Archive a("netcdf4");
  // Two networks' files (and the telescope files of tcs), to keep it quick.
  auto plain = run_cli({"ingest", "directory", a.root.string(), "--db", a.db, "--json", "--quiet", "--jobs", "2",
                        "--pattern", "*toltec[01]_*"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  fs::path weird = a.dir / "a\\b\\c";
  fs::create_directory(weird);
  fs::rename(a.root, weird / "data_lmt");
  for (const auto& isolation : {"1", "0"}) {
    std::string db = (a.dir / (std::string("w") + isolation + ".duckdb")).string();
    ASSERT_EQ(run_cli({"db", "init", "--db", db}).exit_code, 0);
    auto r = run_cli({"ingest", "directory", (weird / "data_lmt").string(), "--db", db, "--location", "W", "--data-root",
                      (weird / "data_lmt").string(), "--json", "--quiet", "--jobs", "2", "--pattern", "*toltec[01]_*"},
                     {std::string("TOLTECA_HEADER_ISOLATION=") + isolation});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = json::parse(r.out), p = json::parse(plain.out);
    EXPECT_EQ(j["failed"], p["failed"]) << "isolation " << isolation << ": " << r.out;
    EXPECT_EQ(j["new"], p["new"]) << "isolation " << isolation;
    EXPECT_GT(j["new"].get<int>(), 20) << r.out;
    EXPECT_EQ(j["flagged"], p["flagged"]) << "isolation " << isolation;
  }
}

}  // namespace
}  // namespace tolteca::test

// End to end: `tolteca_db ingest …` on simulated nights (with bad files), checked against the
// simulator's manifest; idempotence; adding a night; kill -9 mid-run then re-run; the site database
// and the catalogue CSV; a locked database.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "storage/duckdb/session.h"
#include "ingest/ingest_helpers.h"
#include "support/test_support.h"


using namespace tolteca;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json run_json(const std::vector<std::string>& args) {
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return json::object();
  return json::parse(r.out);
}

json simulate(const fs::path& root, std::vector<std::string> extra) {
  std::vector<std::string> args{"simulate", root.string(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_json(args);
}

std::unique_ptr<storage::duckdb::Session> open_ro(const fs::path& db) {
  return storage::duckdb::Session::open(db.string(), storage::OpenOptions{storage::OpenMode::ReadOnly, 0, {}});
}

// A child process (no shell, output dropped) whose pid we keep, to kill it.
struct Child {
  pid_t pid = -1;
  explicit Child(const std::vector<std::string>& args) : pid(test::spawn_cli(args, "/dev/null")) {}
  int wait() { return test::wait_cli(pid); }  // exit code, or 128 + signal
  bool running() {
    int st = 0;
    return waitpid(pid, &st, WNOHANG) == 0;
  }
};

std::int64_t file_size_or_0(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

}  // namespace

TEST(IngestE2E, SimulatedNightMatchesTheManifest) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  fs::path db = tmp / "t.duckdb";
  json m = simulate(root, {"--seed", "3", "--bad-files", "--reduced"});
  ASSERT_FALSE(m.empty());
  ASSERT_EQ(test::run_cli({"db", "init", "--db", db.string()}).exit_code, 0);
  json s = run_json({"ingest", "directory", root.string(), "--db", db.string(), "--location", "LMT", "--data-root",
                     root.string(), "--json"});
  std::map<std::string, int> expect;
  for (const auto& b : m["bad_files"]) ++expect[b["expect"].get<std::string>()];
  const auto n_good = static_cast<std::int64_t>(m["files"].size());
  EXPECT_EQ(s["skipped"], expect["skipped"]);
  EXPECT_EQ(s["failed"], expect["failed"]);
  EXPECT_EQ(s["flagged"], expect["flagged"]);
  // Good and flagged files are new; failed ones are recorded too (kind from the name) but counted as failed.
  EXPECT_EQ(s["new"], n_good + expect["flagged"]);
  EXPECT_EQ(s["scanned"], n_good + static_cast<std::int64_t>(m["bad_files"].size()));
  EXPECT_EQ(s["raw_obs_created"], m["raw_obs"].size());

  {
    auto ses = open_ro(db);
    auto& con = ses->con();
    // Raw observations: identity, kind (union of the headers), start time.
    std::set<std::string> want, got;
    std::map<std::int64_t, std::string> goal_of_obsnum;  // tcs obsnum -> the goal its tel files say
    for (const auto& o : m["raw_obs"]) {
      want.insert(fmt::format("{}|{}|{}", o["uid"].get<std::string>(), o["data_kind"].get<int>(),
                              o["start_time"].get<std::string>()));
      if (!o["obs_goal"].is_null()) goal_of_obsnum[o["obsnum"].get<std::int64_t>()] = o["obs_goal"];
    }
    for (auto& r : test::rows_of(con,
                                 "SELECT uid, data_kind, strftime(obs_start_time, '%Y-%m-%dT%H:%M:%SZ') "
                                 "FROM products WHERE product_type = 'dp_raw_obs'"))
      got.insert(r);
    EXPECT_EQ(test::diff(got, want), "");
    // Obs goal: from the observation's own tel file, else inherited from its obsnum's (the manifest
    // lists it only for observations with a tel file of their own).
    for (const auto& o : m["raw_obs"]) {
      auto g = con.scalar_string(fmt::format("SELECT obs_goal FROM products WHERE uid = '{}'", o["uid"].get<std::string>()));
      auto it = goal_of_obsnum.find(o["obsnum"].get<std::int64_t>());
      if (o["master"] == "tcs" && it != goal_of_obsnum.end()) {
        EXPECT_EQ(g.value_or("∅"), it->second) << o["uid"];
      } else {
        EXPECT_FALSE(g.has_value()) << o["uid"];
      }
    }
    // Every good file is a source of its (raw or reduced) observation, path relative to the data root.
    std::set<std::string> want_src, got_src;
    for (const auto& f : m["files"])
      want_src.insert(fmt::format("{}|{}{}|{}", f["path"].get<std::string>(), f["raw"].get<bool>() ? "" : "reduced:",
                                  f["uid"].get<std::string>(), f["interface"].get<std::string>()));
    for (auto& r : test::rows_of(con,
                                 "SELECT s.rel_path, p.uid, s.interface FROM sources s JOIN products p ON p.id = "
                                 "s.product_id WHERE s.problem IS NULL"))
      got_src.insert(r);
    EXPECT_EQ(test::diff(got_src, want_src), "");
    // Bad files: failed ones have an event, flagged ones a problem, skipped ones no row.
    for (const auto& b : m["bad_files"]) {
      std::string path = b["path"], e = b["expect"];
      SCOPED_TRACE(path);
      auto n_src = con.scalar_int(fmt::format("SELECT count(*) FROM sources WHERE rel_path = '{}'", path)).value();
      auto n_problem = con.scalar_int(
          fmt::format("SELECT count(*) FROM sources WHERE rel_path = '{}' AND problem IS NOT NULL", path)).value();
      auto n_event = con.scalar_int(
          fmt::format("SELECT count(*) FROM events WHERE kind = 'failed' AND subject = '{}'", path)).value();
      if (e == "skipped") {
        EXPECT_EQ(n_src, 0);
      }
      if (e == "flagged") {
        EXPECT_EQ(n_problem, 1);
      }
      if (e == "failed") {
        EXPECT_EQ(n_event, 1);
        EXPECT_EQ(n_problem, 1);
      }
    }
    // Reduced observations are linked to their raw observation.
    EXPECT_EQ(con.scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_reduced_obs'"),
              con.scalar_int("SELECT count(*) FROM edges WHERE assoc_type = 'dpa_reduced_obs_raw_obs'"));
    EXPECT_GT(con.scalar_int("SELECT count(*) FROM edges").value(), 0);
  }

  // Second run: everything unchanged, nothing written (ingest_seq untouched).
  std::vector<std::string> seq_before;
  {
    auto ses = open_ro(db);
    seq_before = test::rows_of(ses->con(), "SELECT uid, ingest_seq FROM products");
  }
  json again = run_json({"ingest", "directory", root.string(), "--db", db.string(), "--json"});
  EXPECT_EQ(again["unchanged"], s["new"].get<std::int64_t>() + s["failed"].get<std::int64_t>());
  EXPECT_EQ(again["new"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["failed"], 0);
  EXPECT_EQ(again["raw_obs_updated"], 0);
  auto ses = open_ro(db);
  EXPECT_EQ(test::rows_of(ses->con(), "SELECT uid, ingest_seq FROM products"), seq_before);
}

TEST(IngestE2E, AddingANightLaterAddsOnlyIt) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  fs::path db = tmp / "t.duckdb";
  json n1 = simulate(root, {"--seed", "5", "--no-hwpr"});
  ASSERT_EQ(test::run_cli({"db", "init", "--db", db.string()}).exit_code, 0);
  json a = run_json({"ingest", "directory", root.string(), "--db", db.string(), "--data-root", root.string(),
                     "--json", "--names-only"});
  EXPECT_EQ(a["new"], n1["files"].size());
  // Night 2 written elsewhere, then moved in (renames keep mtimes).
  fs::path other = tmp / "night2";
  json n2 = simulate(other, {"--seed", "6", "--no-hwpr", "--start-date", "2024-11-14", "--ics-start-obsnum", "18600",
                             "--tcs-start-obsnum", "131400"});
  for (auto it = fs::recursive_directory_iterator(other); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory()) continue;
    fs::path dst = root / it->path().lexically_relative(other);
    fs::create_directories(dst.parent_path());
    fs::rename(it->path(), dst);
  }
  json b = run_json({"ingest", "directory", root.string(), "--db", db.string(), "--json", "--names-only"});
  EXPECT_EQ(b["new"], n2["files"].size());
  EXPECT_EQ(b["unchanged"], n1["files"].size());
  EXPECT_EQ(b["raw_obs_created"], n2["raw_obs"].size());
  EXPECT_EQ(b["raw_obs_updated"], 0);
  auto ses = open_ro(db);
  EXPECT_EQ(ses->con().scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_raw_obs'").value(),
            static_cast<std::int64_t>(n1["raw_obs"].size() + n2["raw_obs"].size()));
}

TEST(IngestE2E, KillMidIngestThenRerunEqualsAnUninterruptedRun) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  json m = simulate(root, {"--seed", "9", "--bad-files"});
  ASSERT_FALSE(m.empty());
  fs::path killed = tmp / "killed.duckdb", clean = tmp / "clean.duckdb";
  for (const auto& d : {killed, clean}) ASSERT_EQ(test::run_cli({"db", "init", "--db", d.string()}).exit_code, 0);
  const std::vector<std::string> args{"ingest", "directory", root.string(), "--data-root", root.string(),
                                      "--location", "LMT", "--batch-size", "40", "--jobs", "1", "--quiet"};
  // Kill -9 once some batches are committed (the WAL has grown past the first commit, ~150 KB) and before
  // the end. A kill can still land while the first commit's WAL is being written (nothing committed):
  // then start that attempt over from an empty database, so a leftover WAL cannot trigger the next kill.
  std::int64_t partial = -1;
  for (int attempt = 0; attempt < 5 && partial < 0; ++attempt) {
    if (attempt > 0) {
      fs::remove(killed);
      fs::remove(killed.string() + ".wal");
      ASSERT_EQ(test::run_cli({"db", "init", "--db", killed.string()}).exit_code, 0);
    }
    auto a = args;
    a.insert(a.end(), {"--db", killed.string()});
    Child child(a);
    auto t0 = std::chrono::steady_clock::now();
    while (child.running() && file_size_or_0(killed.string() + ".wal") < 250'000 &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    bool was_running = child.running();
    kill(child.pid, SIGKILL);
    child.wait();
    auto ses = open_ro(killed);
    std::int64_t n = ses->con().scalar_int("SELECT count(*) FROM sources").value();
    if (was_running && n > 0 && n < static_cast<std::int64_t>(m["files"].size())) partial = n;
  }
  ASSERT_GT(partial, 0) << "could not kill the ingest mid-run";
  // Re-run to completion; compare with an uninterrupted run.
  auto a = args;
  a.insert(a.end(), {"--db", killed.string(), "--json"});
  json resumed = run_json(a);
  EXPECT_GT(resumed["unchanged"].get<std::int64_t>(), 0);
  a = args;
  a.insert(a.end(), {"--db", clean.string()});
  ASSERT_EQ(test::run_cli(a).exit_code, 0);
  auto k = open_ro(killed);
  auto c = open_ro(clean);
  auto ks = test::canonical_state(k->con()), cs = test::canonical_state(c->con());
  EXPECT_EQ(ks.size(), cs.size());
  EXPECT_EQ(ks, cs);
  // Every raw observation has an ingest_seq, no file twice.
  EXPECT_EQ(k->con().scalar_int("SELECT count(*) - count(DISTINCT rel_path) FROM sources"), 0);
}

TEST(IngestE2E, SiteDatabaseMatchesTheDirectoryIngest) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  fs::path sdb = tmp / "toltec.sqlite";
  json m = simulate(root, {"--seed", "4", "--toltec-db", sdb.string()});
  ASSERT_FALSE(m.empty());
  fs::path dir_db = tmp / "dir.duckdb", site_db = tmp / "site.duckdb";
  for (const auto& d : {dir_db, site_db}) ASSERT_EQ(test::run_cli({"db", "init", "--db", d.string()}).exit_code, 0);
  run_json({"ingest", "directory", root.string(), "--db", dir_db.string(), "--data-root", root.string(), "--json"});
  // One network file vanished locally: still a source (missing) of its raw observation.
  std::string gone;
  for (const auto& f : m["files"])
    if (f["interface"] == "toltec3") {
      gone = f["path"];
      break;
    }
  ASSERT_FALSE(gone.empty());
  fs::rename(root / gone, tmp / "gone.nc");
  json s = run_json({"ingest", "toltec-db", "sqlite:///" + sdb.string(), "--db", site_db.string(), "--data-root",
                     root.string(), "--json", "--quiet"});
  EXPECT_EQ(s["missing_locally"], 1);
  EXPECT_EQ(s["failed"], 0);
  auto bad = test::run_cli({"ingest", "toltec-db", "mysql://u@127.0.0.1:1/db", "--db", site_db.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("mysql://u@127.0.0.1:1/db: cannot connect"), std::string::npos) << bad.err;
  // Filters: --obstype and --since/--until narrow the rows.
  json vna = run_json({"ingest", "toltec-db", sdb.string(), "--db", site_db.string(), "--obstype", "vna", "--dry-run",
                       "--json", "--quiet"});
  EXPECT_GT(vna["site_rows"].get<int>(), 0);
  EXPECT_LT(vna["site_rows"].get<int>(), s["site_rows"].get<int>());
  json none = run_json({"ingest", "toltec-db", sdb.string(), "--db", site_db.string(), "--since", "2030-01-01",
                        "--dry-run", "--json", "--quiet"});
  EXPECT_EQ(none["site_rows"], 0);
  auto d = open_ro(dir_db);
  auto t = open_ro(site_db);
  // The network files' facts the site database knows agree: observation, kind, network, cal pointer,
  // file time (the headers' ObsStartTime is not in the site database).
  const std::string net =
      "SELECT s.rel_path, p.uid, s.interface, s.roach, s.data_kind, s.cal_obsnum, s.cal_subobsnum, s.cal_scannum, "
      "s.file_time FROM sources s JOIN products p ON p.id = s.product_id "
      "WHERE s.interface SIMILAR TO 'toltec[0-9]+' AND s.is_raw";
  auto tn = test::rows_of(t->con(), net), dn = test::rows_of(d->con(), net);
  EXPECT_EQ(test::diff(tn, dn), "");
  EXPECT_EQ(t->con().scalar_int(fmt::format("SELECT count(*) FROM sources WHERE rel_path = '{}' AND availability = "
                                            "'missing' AND size IS NULL",
                                            gone)),
            1);
  // The raw observations with network files, and their kinds restricted to network kinds.
  const std::string obs =
      "SELECT p.uid, bit_or(s.data_kind) FROM products p JOIN sources s ON s.product_id = p.id WHERE s.interface "
      "SIMILAR TO 'toltec[0-9]+' GROUP BY p.uid";
  auto to = test::rows_of(t->con(), obs), dobs = test::rows_of(d->con(), obs);
  EXPECT_EQ(test::diff(to, dobs), "");
}

TEST(IngestE2E, CatalogueCsvGivesTelescopeMetadataAndReportsMalformedRows) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  fs::path csv = tmp / "cat.csv", db = tmp / "t.duckdb";
  json m = simulate(root, {"--seed", "2", "--catalog", csv.string()});
  ASSERT_EQ(test::run_cli({"db", "init", "--db", db.string()}).exit_code, 0);
  // Names only: no telescope header is read, so the metadata comes from the catalogue.
  run_json({"ingest", "directory", root.string(), "--db", db.string(), "--data-root", root.string(), "--names-only",
            "--json", "--quiet"});
  {
    std::ofstream out(csv, std::ios::app);
    out << "not.an.obsnum,2024-11-13 23:00:00,x,Science,p,Map,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.1,0,/x,1\n";
    out << "131280.0.2,too,few\n";
  }
  auto r = test::run_cli({"ingest", "tel-csv", csv.string(), "--db", db.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["malformed"], 2);
  std::int64_t lines = 0;
  {
    std::ifstream in(csv);
    std::string l;
    while (std::getline(in, l)) ++lines;
  }
  EXPECT_EQ(j["malformed_rows"][0]["line"], lines - 1);
  EXPECT_EQ(j["malformed_rows"][1]["line"], lines);
  EXPECT_NE(j["malformed_rows"][0]["reason"].get<std::string>().find("ObsNum"), std::string::npos);
  EXPECT_GT(j["raw_obs_updated"].get<int>(), 0);
  auto ses = open_ro(db);
  // Each tcs observation: its own catalogue row's goal, else its obsnum's.
  std::map<std::int64_t, std::string> goal_of_obsnum;
  for (const auto& o : m["raw_obs"])
    if (!o["obs_goal"].is_null()) goal_of_obsnum[o["obsnum"].get<std::int64_t>()] = o["obs_goal"];
  std::set<std::string> want, got;
  for (const auto& o : m["raw_obs"])
    if (o["master"] == "tcs" && goal_of_obsnum.count(o["obsnum"].get<std::int64_t>()))
      want.insert(o["uid"].get<std::string>() + "|" + goal_of_obsnum[o["obsnum"].get<std::int64_t>()]);
  for (auto& row : test::rows_of(ses->con(),
                                 "SELECT uid, obs_goal FROM products WHERE master = 'tcs' AND obs_goal IS NOT NULL"))
    got.insert(row);
  EXPECT_EQ(test::diff(got, want), "");
}

TEST(IngestE2E, ScanFileAndLockedDatabase) {
  test::TempDir tmp;
  fs::path root = tmp / "data_lmt";
  fs::path db = tmp / "t.duckdb";
  json m = simulate(root, {"--seed", "8", "--bad-files"});
  // scan: no database needed; counts per interface agree with the manifest's files.
  json sc = run_json({"ingest", "scan", root.string(), "--json", "--rejections", "1"});
  EXPECT_EQ(sc["raw_obs"], m["raw_obs"].size());
  EXPECT_EQ(sc["rejections"].size(), 1u);
  for (const auto& [iface, n] : m["counts"]["per_interface"].items())
    EXPECT_GE(sc["per_interface"][iface].get<int>(), n.get<int>()) << iface;
  auto help = test::run_cli({"ingest", "directory", "--help"});
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);

  ASSERT_EQ(test::run_cli({"db", "init", "--db", db.string()}).exit_code, 0);
  std::string one = (root / m["files"][0]["path"].get<std::string>()).string();
  auto f = test::run_cli({"ingest", "file", one, "--db", db.string(), "--data-root", root.string()});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_NE(f.out.find(m["files"][0]["uid"].get<std::string>()), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("new"), std::string::npos);
  auto outside = test::run_cli({"ingest", "file", (tmp / "x.nc").string(), "--db", db.string()});
  EXPECT_EQ(outside.exit_code, 1);

  // A second writer while an ingest runs: a clear message naming the database; --wait waits.
  Child writer({"ingest", "directory", root.string(), "--db", db.string(), "--batch-size", "20", "--jobs", "1", "-q"});
  auto t0 = std::chrono::steady_clock::now();
  while (writer.running() && file_size_or_0(db.string() + ".wal") == 0 &&
         std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (writer.running()) {
    auto locked = test::run_cli({"ingest", "directory", root.string(), "--db", db.string(), "-q"});
    if (writer.running()) {
      EXPECT_EQ(locked.exit_code, 1);
      EXPECT_NE(locked.err.find("locked"), std::string::npos) << locked.err;
      EXPECT_NE(locked.err.find(db.string()), std::string::npos) << locked.err;
    }
    auto waited = test::run_cli({"ingest", "directory", root.string(), "--db", db.string(), "-q", "--wait", "60"});
    EXPECT_EQ(waited.exit_code, 0) << waited.err;
  }
  EXPECT_EQ(writer.wait(), 0);
}

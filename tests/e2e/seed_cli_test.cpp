// The seed's command line (../shared/spec/seed-cli.md) and the two "Example
// Workflows" of the seed README, run verbatim on simulated data (paths
// substituted), with their results checked; data roots (detection, extension,
// refusal, `db location`), and "did you mean".
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The commands use relative paths (duckdb:///pipeline.duckdb, ./state) as the seed README does:
// run them from a scratch directory.
struct InDir {
  fs::path old = fs::current_path();
  explicit InDir(const fs::path& p) { fs::current_path(p); }
  ~InDir() { fs::current_path(old); }
};

std::string cmdline(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += " " + a;
  return s;
}

test::RunResult ok(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  auto r = test::run_cli(args, env);
  EXPECT_EQ(r.exit_code, 0) << cmdline(args) << "\n" << r.err;
  return r;
}
json jok(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  auto r = ok(args, env);
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << cmdline(args) << ": not JSON: " << r.out;
    return json();
  }
}
test::RunResult fails(const std::vector<std::string>& args, const std::string& want_in_err) {
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << cmdline(args) << "\n" << r.out << r.err;
  EXPECT_NE(r.err.find(want_in_err), std::string::npos) << cmdline(args) << "\nstderr: " << r.err;
  return r;
}

json simulate(const std::string& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"simulate", dir, "--seed", "7", "--scale", "0.1", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return jok(args);
}
std::int64_t good_raw_files(const json& m) {
  std::int64_t n = 0;
  for (const auto& f : m.at("files")) n += f.value("raw", true) ? 1 : 0;
  return n;
}

json stats(const std::string& url) { return jok({"query", "stats", "--db", url, "--json"}); }

// Full regeneration in a dry run: what it would change against what incremental runs stored.
void expect_incremental_equals_full(const std::string& url, const std::vector<std::string>& state = {}) {
  std::vector<std::string> args{"assoc", "generate", "--full", "--dry-run", "--json", "--db", url};
  args.insert(args.end(), state.begin(), state.end());
  auto full = jok(args);
  EXPECT_EQ(full["groups_created"], 0) << full.dump();
  EXPECT_EQ(full["groups_updated"], 0) << full.dump();
  EXPECT_EQ(full["groups_deleted"], 0) << full.dump();
}

}  // namespace

// README "Complete Data Pipeline": /data/obsnum_113533 is a subdirectory of the archive (here one
// network directory); the root is found from the layout, so later ingests elsewhere work.
TEST(SeedWorkflow, CompleteDataPipeline) {
  test::TempDir t;
  InDir here(t.path());
  auto m = simulate("data");
  const std::string sub = "data/toltec/ics/toltec0";
  ok({"db", "init", "--url", "duckdb:///pipeline.duckdb"});
  ASSERT_TRUE(fs::exists(t / "pipeline.duckdb"));
  auto r = ok({"ingest", "directory", sub, "--db", "duckdb:///pipeline.duckdb", "--location", "LMT"});
  auto locs = jok({"db", "location", "list", "--db", "duckdb:///pipeline.duckdb", "--json"});
  ASSERT_EQ(locs.size(), 1u);
  EXPECT_EQ(locs[0]["label"], "LMT");
  EXPECT_EQ(locs[0]["root_path"], (t.path() / "data").string()) << "root detected from the layout";
  const std::int64_t first = stats("duckdb:///pipeline.duckdb")["files"];
  EXPECT_GT(first, 0);
  // Elsewhere in the archive: the whole tree, no duplicates.
  auto all = jok({"ingest", "directory", "data", "--db", "duckdb:///pipeline.duckdb", "--location", "LMT", "--json"});
  EXPECT_EQ(all["unchanged"], first);
  auto st = stats("duckdb:///pipeline.duckdb");
  EXPECT_EQ(st["files"], good_raw_files(m));
  EXPECT_EQ(st["observations"], m["raw_obs"].size());
  ok({"assoc", "generate", "--db", "duckdb:///pipeline.duckdb", "--incremental"});
  EXPECT_EQ(stats("duckdb:///pipeline.duckdb")["groups"], m["groups"].size());
  auto ex = ok({"query", "export", "results.parquet", "--db", "duckdb:///pipeline.duckdb"});
  EXPECT_TRUE(fs::exists(t / "results.parquet"));
  EXPECT_NE(ex.out.find("exported " + std::to_string(m["raw_obs"].size()) + " row(s)"), std::string::npos) << ex.out;
}

// README "Incremental Daily Updates": two night directories into LMT; day 2 extends the root to
// their common parent (day 1's paths rewritten in one transaction) and the state is a directory.
TEST(SeedWorkflow, IncrementalDailyUpdates) {
  test::TempDir t;
  InDir here(t.path());
  auto d1 = simulate("data/2025-10-27", {"--start-date", "2025-10-27"});
  auto d2 = simulate("data/2025-10-28",
                     {"--start-date", "2025-10-28", "--ics-start-obsnum", "18352", "--tcs-start-obsnum", "131327"});
  const std::string url = "duckdb:///./tolteca.duckdb";
  // Day 1: verbatim, no db init first; the ingest creates the default database and says so.
  auto r1 = ok({"ingest", "directory", "data/2025-10-27", "--location", "LMT"});
  EXPECT_NE(r1.err.find("created the database"), std::string::npos) << r1.err;
  EXPECT_TRUE(fs::exists(t / "tolteca.duckdb"));
  ok({"assoc", "generate", "--incremental", "--state", "filesystem", "--state-dir", "./state"});
  EXPECT_TRUE(fs::exists(t / "state" / "assoc_state.json"));
  const std::int64_t day1_files = stats(url)["files"];
  EXPECT_EQ(day1_files, good_raw_files(d1));
  // Day 2
  auto r2 = ok({"ingest", "directory", "data/2025-10-28", "--location", "LMT"});
  EXPECT_NE(r2.out.find("root extended"), std::string::npos) << r2.out;
  auto g2 = jok({"assoc", "generate", "--incremental", "--state", "filesystem", "--state-dir", "./state", "--json"});
  EXPECT_EQ(g2["mode"], "incremental");
  auto st = stats(url);
  EXPECT_EQ(st["files"], good_raw_files(d1) + good_raw_files(d2));
  EXPECT_EQ(st["observations"], d1["raw_obs"].size() + d2["raw_obs"].size());
  EXPECT_EQ(st["missing_files"], 0);
  // Check state growth
  auto state = ok({"assoc", "state", "--backend", "filesystem", "--state-dir", "./state"});
  EXPECT_NE(state.out.find("filesystem"), std::string::npos);
  auto sj = jok({"assoc", "state", "--backend", "filesystem", "--state-dir", "./state", "--json"});
  EXPECT_TRUE(sj["exists"].get<bool>());
  EXPECT_EQ(sj["raw_obs_total"], st["observations"]);
  expect_incremental_equals_full(url, {"--state", "filesystem", "--state-dir", "./state"});
  // The root is the common parent; day 1's files are found there; a re-run of both days adds nothing.
  auto locs = jok({"db", "location", "list", "--json"});
  EXPECT_EQ(locs[0]["root_path"], (t.path() / "data").string());
  for (const char* day : {"data/2025-10-27", "data/2025-10-28"}) {
    auto again = jok({"ingest", "directory", day, "--location", "LMT", "--json"});
    EXPECT_EQ(again["new"], 0) << day;
  }
  auto files = ok({"query", "files", "--db", url, "[]"});
  std::istringstream in(files.out);
  std::string line;
  std::int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    EXPECT_TRUE(fs::exists(line)) << line;
  }
  EXPECT_EQ(n, st["files"].get<std::int64_t>());
}

// Every command and option of seed-cli.md, each checked by what it does.
TEST(SeedCli, EveryCommandAndOption) {
  test::TempDir t;
  InDir here(t.path());
  auto m = simulate("data_lmt", {"--toltec-db", "site.sqlite", "--catalog", "cat.csv"});
  test::write_bytes(t / "data_lmt" / "aaa" / "garbage.nc", "not a TolTEC file");
  const std::string url = "duckdb:///x.duckdb";
  // db init --url --registry --location --data-root (relative: stored absolute)
  auto init = jok({"db", "init", "--url", url, "--registry", "--location", "LMT", "--data-root", "data_lmt", "--json"});
  EXPECT_EQ(init["location"]["root_path"], (t.path() / "data_lmt").string());
  auto noreg = ok({"db", "init", "--url", url, "--no-registry"});
  EXPECT_NE(noreg.err.find("--no-registry"), std::string::npos);
  auto info = jok({"db", "info", "--url", url, "--json"});
  EXPECT_EQ(info["locations"][0]["label"], "LMT");
  EXPECT_FALSE(info["data_kinds"].empty());
  // ingest scan -p -r --details: the first 50 files, a PARSE ERROR row for the bad name
  auto scan = ok({"ingest", "scan", "data_lmt", "-p", "*.nc", "-r", "--details"});
  EXPECT_NE(scan.out.find("PARSE ERROR"), std::string::npos) << scan.out;
  EXPECT_NE(scan.out.find("(showing the first 50 of"), std::string::npos);
  auto flat = jok({"ingest", "scan", "data_lmt", "--no-recursive", "--json"});
  EXPECT_EQ(flat["scanned"], 0);
  // ingest file --dry-run prints the parsed fields and writes nothing
  std::string one;
  for (const auto& f : m["files"])
    if (f["path"].get<std::string>().find("toltec/ics/toltec3/") == 0) one = "data_lmt/" + f["path"].get<std::string>();
  ASSERT_FALSE(one.empty());
  auto dry = ok({"ingest", "file", one, "-l", "LMT", "--master", "ics", "--nw-id", "3", "--db", url, "--dry-run"});
  EXPECT_NE(dry.out.find("obsnum"), std::string::npos);
  EXPECT_NE(dry.out.find("toltec3"), std::string::npos);
  EXPECT_EQ(stats(url)["files"], 0);
  auto file = jok({"ingest", "file", one, "--location", "LMT", "--db", url, "--json"});
  EXPECT_EQ(file["new"], 1);
  // ingest directory: ics first (one full generation), then everything
  ok({"ingest", "directory", "data_lmt/toltec/ics", "-l", "LMT", "--db", url});
  jok({"assoc", "generate", "--db", url, "--json"});
  auto dir = jok({"ingest", "directory", "data_lmt", "-l", "LMT", "-p", "*.nc", "-r", "--skip-existing",
                  "--commit-interval", "200", "--master", "tcs", "--nw-id", "0", "--db", url, "--json"});
  EXPECT_GT(dir["batches"].get<std::int64_t>(), 1);  // --commit-interval 200: several transactions
  EXPECT_EQ(stats(url)["files"], good_raw_files(m));
  // assoc generate --limit/-n: N pending observations, the rest stay pending
  auto lim = jok({"assoc", "generate", "--db", url, "-n", "10", "--commit", "--json"});
  EXPECT_EQ(lim["processed"], 10);
  const std::int64_t left = lim["remaining"];
  EXPECT_GT(left, 20);
  auto lim_dry = jok({"assoc", "generate", "--db", url, "--limit", "5", "--dry-run", "--json"});
  EXPECT_EQ(lim_dry["processed"], 5);
  // assoc stream: --batch-size defaults to 20; the dry run above consumed nothing
  auto one_batch = jok({"assoc", "stream", "--db", url, "--max-batches", "1", "--json"});
  ASSERT_EQ(one_batch["batches"].size(), 1u);
  EXPECT_EQ(one_batch["batches"][0]["observations"], 20);
  EXPECT_EQ(one_batch["remaining"], left - 20);
  auto rest = jok({"assoc", "stream", "--db", url, "--batch-size", "30", "--commit-every", "2", "--json"});
  EXPECT_EQ(rest["remaining"], 0);
  EXPECT_EQ(stats(url)["groups"], m["groups"].size());
  expect_incremental_equals_full(url);
  // assoc state / reset-state, database and filesystem (default --state-dir ./.tolteca_db_state)
  EXPECT_EQ(jok({"assoc", "state", "--db", url, "--backend", "database", "--json"})["backend"], "database");
  ok({"assoc", "generate", "--db", url, "--full", "--state", "filesystem"});
  EXPECT_TRUE(fs::exists(t / ".tolteca_db_state" / "assoc_state.json"));
  auto fst = jok({"assoc", "state", "--db", url, "--backend", "filesystem", "--state-dir", ".tolteca_db_state", "--json"});
  EXPECT_TRUE(fst["exists"].get<bool>());
  ok({"assoc", "reset-state", "--db", url, "--backend", "filesystem", "--state-dir", ".tolteca_db_state", "-y"});
  EXPECT_FALSE(fs::exists(t / ".tolteca_db_state" / "assoc_state.json"));
  // ingest from-toltec-db: path, sqlite://, env defaults, every option
  auto site = jok({"ingest", "from-toltec-db", "site.sqlite", "--data-root", "data_lmt", "--db", url, "--location",
                   "LMT", "--master", "tcs", "--obstype", "VNA", "--start-date", "2000-01-01", "--end-date",
                   "2100-01-01", "--limit", "5", "--skip-existing", "--dry-run", "--json"});
  EXPECT_EQ(site["site_rows"], 5);
  EXPECT_EQ(site["unchanged"], 5);  // already ingested from the directory
  auto again = jok({"ingest", "from-toltec-db", "--toltec-db-url", "sqlite:///site.sqlite", "--db", url, "-l", "LMT",
                    "--limit", "3", "--no-skip-existing", "--with-associations", "--json"});
  EXPECT_EQ(again["site_rows"], 3);
  EXPECT_EQ(again["unchanged"], 0);  // --no-skip-existing records them again
  EXPECT_TRUE(again.contains("associations"));
  auto envrun = jok({"ingest", "from-toltec-db", "--db", url, "--dry-run", "--json"},
                    {"TOLTEC_DB_URL=site.sqlite", "TOLTECA_WEB_DATA_LMT_ROOTPATH=data_lmt"});
  EXPECT_GT(envrun["site_rows"].get<std::int64_t>(), 5);
  EXPECT_EQ(envrun["missing_locally"], 0);
  // The MySQL route (tests/servers runs it against a real MariaDB); nothing listens on port 1 here.
  for (const char* u : {"mysql://user@127.0.0.1:1/toltec", "mysql+pymysql://user@127.0.0.1:1/toltec"})
    fails({"ingest", "from-toltec-db", u, "--db", url}, std::string(u) + ": cannot connect");
  // ingest from-tel-csv
  auto csv = jok({"ingest", "from-tel-csv", "cat.csv", "-l", "LMT", "--skip-existing", "--create-data-prods",
                  "--batch-size", "100", "--db", url, "--json"});
  EXPECT_GT(csv["applied"].get<std::int64_t>(), 0);
  fails({"ingest", "from-tel-csv", "--db", url}, "cannot work offline");
  // query obs --obsnum --master --kind --limit/-n
  const std::int64_t tcs = m["raw_obs"][m["raw_obs"].size() - 1]["obsnum"];
  auto obs = jok({"query", "obs", "--db", url, "--obsnum", std::to_string(tcs), "--master", "tcs", "--json"});
  ASSERT_FALSE(obs.empty());
  for (const auto& o : obs) {
    EXPECT_EQ(o["obsnum"], tcs);
    EXPECT_EQ(o["master"], "tcs");
  }
  auto vna = jok({"query", "obs", "--db", url, "--kind", "VnaSweep", "--json"});
  std::size_t want_vna = 0;
  for (const auto& o : m["raw_obs"])
    want_vna += (o["data_kind"].get<int>() & 1) ? 1 : 0;  // VnaSweep
  EXPECT_EQ(vna.size(), want_vna);
  for (const auto& o : vna) EXPECT_NE(o["kinds"].dump().find("VnaSweep"), std::string::npos);
  EXPECT_EQ(jok({"query", "obs", "--db", url, "-n", "7", "--json"}).size(), 7u);
  auto table = ok({"query", "obs", "--db", url});  // a table: 20 by default, the note on stderr
  EXPECT_NE(table.err.find("showing the first 20"), std::string::npos) << table.err;
  // query groups --type --obsnum --limit/-n --members
  auto groups = jok({"query", "groups", "--db", url, "--type", "cal_group", "--members", "-n", "2", "--json"});
  ASSERT_EQ(groups.size(), 2u);
  for (const auto& g : groups) {
    EXPECT_EQ(g["type"], "cal_group");
    EXPECT_FALSE(g["members"].empty());
  }
  const std::int64_t member_obsnum = groups[0]["first_obsnum"];
  auto by_obsnum = jok({"query", "groups", "--db", url, "--obsnum", std::to_string(member_obsnum), "--json"});
  EXPECT_FALSE(by_obsnum.empty());
  // query export --table/-t --filter --limit/-n (the filter is parsed, never pasted into SQL)
  auto ex = ok({"query", "export", "p.csv", "-t", "products", "--filter", "obsnum > 100 AND master = 'ics'", "-n", "5",
                "--db", url});
  EXPECT_NE(ex.out.find("exported 5 row(s)"), std::string::npos) << ex.out;
  auto content = test::read_bytes(t / "p.csv");
  EXPECT_EQ(std::count(content.begin(), content.end(), '\n'), 6) << content;
  fails({"query", "export", "q.csv", "--table", "products", "--filter", "obsnum = 1; DROP TABLE products", "--db", url},
        "");
  EXPECT_GT(stats(url)["observations"].get<std::int64_t>(), 0);
  ok({"query", "export", "results.parquet", "--db", url});
  EXPECT_TRUE(fs::exists(t / "results.parquet"));
  // db export --tables, db vacuum --analyze
  auto dex = jok({"db", "export", "backup", "--url", url, "--tables", "products,sources", "--json"});
  EXPECT_EQ(dex.size(), 2u);
  EXPECT_TRUE(fs::exists(t / "backup" / "products.parquet"));
  ok({"db", "vacuum", "--url", url, "--analyze"});
  // --db and --url everywhere; the environment's database
  EXPECT_EQ(jok({"query", "stats", "--url", url, "--json"})["observations"], m["raw_obs"].size());
  EXPECT_EQ(jok({"query", "stats", "--json"}, {"TOLTECA_DB_URL=" + url})["observations"], m["raw_obs"].size());
  // --help shows the seed's names
  EXPECT_NE(ok({"ingest", "--help"}).out.find("from-toltec-db"), std::string::npos);
  EXPECT_NE(ok({"query", "export", "--help"}).out.find("--filter"), std::string::npos);
  EXPECT_NE(ok({"db", "init", "--help"}).out.find("--url"), std::string::npos);
}

TEST(SeedCli, DidYouMean) {
  fails({"query", "obs", "--obsnm", "1"}, "did you mean --obsnum?");
  fails({"db", "initt"}, "did you mean 'init'?");
  fails({"ingest", "directory", "x", "--recursiv"}, "did you mean --recursive?");
  fails({"assoc", "generate", "--incremntal"}, "did you mean --incremental?");
  fails({"ingest", "from-toltec"}, "did you mean 'from-toltec-db'?");
  auto far = fails({"db", "info", "--frobnicate"}, "--frobnicate");
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos);
}

// Data roots: stored absolute, detected, extended, refused before anything is written; `db location`.
TEST(DataRoots, DetectExtendRefuseMove) {
  test::TempDir t;
  InDir here(t.path());
  auto m = simulate("arch/data_lmt");
  const std::string url = "duckdb:///r.duckdb";
  // ~ expanded, a missing root is a warning
  const std::string missing = "~/tolteca_nowhere_" + std::to_string(::getpid()) + "/../tolteca_elsewhere";
  auto home = ok({"db", "init", "--db", url, "--location", "H", "--data-root", missing});
  EXPECT_NE(home.out.find(std::string("location H -> ") + std::getenv("HOME") + "/tolteca_elsewhere"),
            std::string::npos)
      << home.out;
  EXPECT_NE(home.err.find("does not exist"), std::string::npos);
  ok({"db", "location", "remove", "H", "--db", url});
  // a flat directory without the layout: the directory itself; --master names the master
  fs::create_directories(t / "flat");
  for (const auto& f : m["files"]) {
    std::string p = f["path"];
    if (p.find("toltec/ics/toltec1/") == 0) fs::copy_file(t / "arch/data_lmt" / p, t / "flat" / fs::path(p).filename());
  }
  auto fl = jok({"ingest", "directory", "flat", "--db", url, "-l", "FLAT", "--names-only", "--master", "ics", "--json"});
  EXPECT_EQ(fl["data_root"], (t.path() / "flat").string());
  EXPECT_GT(fl["new"].get<std::int64_t>(), 0);
  EXPECT_EQ(fl["skipped"], 0);
  // detection from deep inside the layout
  auto deep = jok({"ingest", "directory", "arch/data_lmt/toltec/tcs", "--db", url, "-l", "LMT", "--json"});
  EXPECT_EQ(deep["data_root"], (t.path() / "arch/data_lmt").string());
  EXPECT_TRUE(deep["root_extended_from"].is_null());
  const std::int64_t lmt_files = deep["new"];
  // a directory whose only common ancestor with the root is / is refused before anything is written
  fs::path outside = fs::path("/var/tmp") / ("tolteca_seed_" + std::to_string(::getpid()));
  fs::create_directories(outside);
  fails({"ingest", "directory", outside.string(), "--db", url, "-l", "LMT"}, "nothing was written");
  fs::remove_all(outside);
  auto list = jok({"db", "location", "list", "--db", url, "--json"});
  for (const auto& l : list)
    if (l["label"] == "LMT") {
      EXPECT_EQ(l["root_path"], (t.path() / "arch/data_lmt").string());
      EXPECT_EQ(l["files"], lmt_files);
    }
  // db init must not re-root a location with files
  fails({"db", "init", "--db", url, "--location", "LMT", "--data-root", "somewhere_else"}, "db location move LMT");
  // move to the parent: paths gain the prefix, absolute paths unchanged
  auto before = ok({"query", "files", "--db", url, "tcs-[]"}).out;
  auto mv = jok({"db", "location", "move", "LMT", "arch", "--db", url, "--json"});
  EXPECT_EQ(mv["mode"], "ancestor");
  EXPECT_EQ(mv["paths_rewritten"], lmt_files);
  EXPECT_EQ(ok({"query", "files", "--db", url, "tcs-[]"}).out, before);
  auto back = jok({"db", "location", "move", "LMT", "arch/data_lmt", "--db", url, "--json"});
  EXPECT_EQ(back["mode"], "descendant");
  EXPECT_EQ(ok({"query", "files", "--db", url, "tcs-[]"}).out, before);
  // the archive moved: paths kept, a re-ingest at the new place adds nothing
  fs::rename(t / "arch", t / "moved");
  auto moved = jok({"db", "location", "move", "LMT", "moved/data_lmt", "--db", url, "--json"});
  EXPECT_EQ(moved["mode"], "moved");
  auto re = jok({"ingest", "directory", "moved/data_lmt/toltec/tcs", "--db", url, "-l", "LMT", "--json"});
  EXPECT_EQ(re["new"], 0);
  EXPECT_EQ(re["unchanged"], lmt_files);
  // stale rows: vanished files marked missing by --prune, then dropped by prune-missing
  std::int64_t removed = 0;
  for (const auto& e : fs::directory_iterator(t / "moved/data_lmt/toltec/tcs/toltec0")) {
    fs::remove(e.path());
    ++removed;
  }
  ASSERT_GT(removed, 0);
  auto pr = jok({"ingest", "directory", "moved/data_lmt/toltec/tcs", "--db", url, "-l", "LMT", "--prune", "--json"});
  EXPECT_EQ(pr["missing"], removed);
  auto drop = jok({"db", "location", "prune-missing", "LMT", "--db", url, "--json"});
  EXPECT_EQ(drop["deleted"], removed);
  EXPECT_EQ(stats(url)["missing_files"], 0);
  // add / remove
  ok({"db", "location", "add", "COPY", "moved", "--db", url});
  fails({"db", "location", "add", "COPY", "moved", "--db", url}, "exists already");
  fails({"db", "location", "remove", "FLAT", "--db", url}, "--force");
  auto rm = jok({"db", "location", "remove", "FLAT", "--force", "--db", url, "--json"});
  EXPECT_EQ(rm["files_deleted"], fl["new"]);
  ok({"db", "location", "remove", "COPY", "--db", url});
  EXPECT_EQ(jok({"db", "location", "list", "--db", url, "--json"}).size(), 1u);
}

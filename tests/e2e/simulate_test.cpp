// End to end: `tolteca_db simulate` writes a night whose files ncdump reads, whose names parse, whose
// headers agree with the names and with the manifest, and whose manifest lists the expected groups.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "files/filename.h"
#include "files/header.h"
#include "sim/simulator.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::pair<int, std::string> run_shell(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

std::set<std::string> walk(const fs::path& root) {
  std::set<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it)
    if (!it->is_directory() || it->is_symlink()) out.insert(it->path().lexically_relative(root).string());
  return out;
}

}  // namespace

TEST(SimulateE2E, ANightIsReadableAndAgreesWithItsManifest) {
  test::TempDir tmp;
  const std::string root = (tmp / "data_lmt").string();
  const std::string csv = (tmp / "catalog.csv").string(), sdb = (tmp / "toltec.sqlite").string();
  auto r = test::run_cli(
      {"simulate", root, "--seed", "3", "--bad-files", "--reduced", "--json", "--catalog", csv, "--toltec-db", sdb});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json m = json::parse(r.out);
  ASSERT_GT(m["files"].size(), 1000u);
  EXPECT_EQ(m["seed"], 3);
  EXPECT_EQ(m["format"], "mix");

  // Exactly the manifest's files are on disk.
  std::set<std::string> expected;
  for (const auto& f : m["files"]) expected.insert(f["path"].get<std::string>());
  for (const auto& f : m["bad_files"]) expected.insert(f["path"].get<std::string>());
  EXPECT_EQ(walk(root), expected);

  // Every good file: its name parses, its header reads and agrees with the name and the manifest.
  struct Agg {
    DataKindBits kind = 0;
    UnixMicros start = 0;
    std::vector<int> networks;
    int n_files = 0;
    std::optional<std::string> goal;
    std::map<std::string, std::vector<int>> cal;  // target triple "obsnum-sub-scan" -> networks
  };
  std::map<std::string, Agg> agg;
  std::map<std::string, std::string> one_per_format;
  int reduced_files = 0;
  for (const auto& f : m["files"]) {
    const std::string rel = f["path"];
    SCOPED_TRACE(rel);
    auto pn = parse_filename(rel);
    const ParsedName* n = as_parsed(pn);
    ASSERT_NE(n, nullptr) << as_rejection(pn)->detail;
    ASSERT_TRUE(n->quartet().has_value());
    EXPECT_EQ(to_string(*n->quartet()), f["uid"]);
    EXPECT_EQ(n->interface, f["interface"]);
    EXPECT_EQ(n->is_raw, f["raw"].get<bool>());
    EXPECT_EQ(format_relative_path(*n), rel);
    if (!n->is_raw && n->extension != "nc") continue;  // a model table (.txt)
    auto hr = read_header(root + "/" + rel);
    const HeaderInfo* h = as_header(hr);
    ASSERT_NE(h, nullptr) << as_error(hr)->reason;
    if (!n->is_raw) {
      // A reduction product: recognised by Header.Kids.kind, same ids and kind as its raw file.
      EXPECT_EQ(h->file_class, FileClass::reduced);
      EXPECT_TRUE(h->reduced_kind == "processed_sweep" || h->reduced_kind == "d21");
      EXPECT_TRUE(compare_with_name(*h, *n).empty());
      EXPECT_EQ(h->data_kind, n->data_kind);
      ++reduced_files;
      continue;
    }
    EXPECT_TRUE(compare_with_name(*h, *n).empty());
    EXPECT_TRUE(h->problems.empty());
    EXPECT_EQ(data_kind_names(h->data_kind), f["kind"]);
    EXPECT_EQ(h->data_kind, n->data_kind);
    EXPECT_GT(h->n_samples.value_or(0), 0);
    one_per_format.emplace(h->format, root + "/" + rel);
    Agg& a = agg[f["uid"]];
    a.kind |= h->data_kind;
    a.n_files += 1;
    if (h->file_class == FileClass::telescope) {
      EXPECT_TRUE(n->kind == InterfaceKind::tel_toltec || n->kind == InterfaceKind::tel_toltec2);
      if (n->kind == InterfaceKind::tel_toltec && h->tel.obs_goal) {
        std::string g = *h->tel.obs_goal;
        for (auto& c : g) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        a.goal = g;
      }
    } else {
      ASSERT_EQ(h->file_class, FileClass::network);
      ASSERT_TRUE(h->obs_start_time.has_value());
      if (a.start == 0 || *h->obs_start_time < a.start) a.start = *h->obs_start_time;
      // The name's timestamp is the file's creation second: at or just after ObsStartTime.
      EXPECT_GE(*n->file_time, *h->obs_start_time);
      EXPECT_LE(*n->file_time, *h->obs_start_time + 1000000);
      if (h->roach) {
        a.networks.push_back(*h->roach);
        if (h->cal_obsnum)
          a.cal[fmt::format("{}-{}-{}", *h->cal_obsnum, *h->cal_subobsnum, *h->cal_scannum)].push_back(*h->roach);
      }
    }
  }

  EXPECT_GT(reduced_files, 0);
  EXPECT_EQ(m["reduced_obs"].size(), 3u);

  // Telescope metadata describes the obsnum as a whole: observations without a
  // telescope file of their own take their obsnum's goal.
  std::map<std::string, std::string> goal_of_obsnum;  // "master-obsnum" -> goal
  auto obsnum_key = [](const std::string& uid) { return uid.substr(0, uid.find('-', uid.find('-') + 1)); };
  for (const auto& [uid, a] : agg)
    if (a.goal) goal_of_obsnum.emplace(obsnum_key(uid), *a.goal);
  for (auto& [uid, a] : agg)
    if (!a.goal)
      if (auto it = goal_of_obsnum.find(obsnum_key(uid)); it != goal_of_obsnum.end()) a.goal = it->second;

  // Raw observations rebuilt from the headers equal the manifest's.
  ASSERT_EQ(agg.size(), m["raw_obs"].size());
  std::vector<SimRawObs> rebuilt;
  std::set<std::string> edges;
  for (const auto& ro : m["raw_obs"]) {
    const std::string uid = ro["uid"];
    SCOPED_TRACE(uid);
    ASSERT_TRUE(agg.count(uid));
    Agg& a = agg[uid];
    std::sort(a.networks.begin(), a.networks.end());
    EXPECT_EQ(a.kind, ro["data_kind"].get<DataKindBits>());
    EXPECT_EQ(format_iso8601(a.start), ro["start_time"]);
    EXPECT_EQ(a.networks, ro["networks"].get<std::vector<int>>());
    EXPECT_EQ(a.n_files, ro["n_files"].get<int>());
    if (a.goal)
      EXPECT_EQ(*a.goal, ro["obs_goal"]);
    else
      EXPECT_TRUE(ro["obs_goal"].is_null());
    // Cal pointers resolve to existing observations (same master first).
    const std::string master = ro["master"];
    for (const auto& [t, nets] : a.cal) {
      std::string dst = master + "-" + t;
      if (!agg.count(dst)) dst = (master == "tcs" ? "ics-" : "tcs-") + t;
      ASSERT_TRUE(agg.count(dst)) << t;
      edges.insert(uid + ">" + dst);
    }
    if (a.cal.empty()) {
      EXPECT_TRUE(ro["cal"].is_null());
    }
    SimRawObs s;
    s.quartet = *parse_quartet(uid);
    s.data_kind = a.kind;
    s.start_time = a.start;
    s.obs_goal = a.goal;
    rebuilt.push_back(s);
  }
  std::set<std::string> manifest_edges;
  for (const auto& e : m["cal_edges"]) manifest_edges.insert(e["src"].get<std::string>() + ">" + e["dst"].get<std::string>());
  EXPECT_EQ(edges, manifest_edges);

  // The association rules applied to the header facts give the manifest's groups.
  auto groups = expected_groups(rebuilt);
  ASSERT_EQ(groups.size(), m["groups"].size());
  std::map<std::string, int> types;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(groups[i].type, m["groups"][i]["type"]);
    EXPECT_EQ(groups[i].name, m["groups"][i]["name"]);
    EXPECT_EQ(groups[i].members, m["groups"][i]["members"].get<std::vector<std::string>>());
    ++types[groups[i].type];
  }
  EXPECT_EQ(types["cal_group"], 3);
  EXPECT_EQ(types["drivefit"], 1);
  EXPECT_EQ(types["focus_group"], 3);
  EXPECT_EQ(types["astig_group"], 1);

  // Bad files behave as their case says.
  ASSERT_EQ(m["bad_files"].size(), 6u);
  for (const auto& b : m["bad_files"]) {
    const std::string rel = b["path"], c = b["case"];
    SCOPED_TRACE(c + " " + rel);
    auto pn = parse_filename(rel);
    auto hr = read_header(root + "/" + rel);
    if (c == "not_toltec") {
      ASSERT_NE(as_rejection(pn), nullptr);
      EXPECT_EQ(as_rejection(pn)->reason, RejectReason::not_toltec_name);
      EXPECT_EQ(b["expect"], "skipped");
    } else if (c == "current_link") {
      ASSERT_NE(as_rejection(pn), nullptr);
      EXPECT_EQ(as_rejection(pn)->reason, RejectReason::current_file_link);
      EXPECT_TRUE(fs::is_symlink(root + "/" + rel));
      EXPECT_EQ(b["expect"], "skipped");
    } else {
      ASSERT_NE(as_parsed(pn), nullptr);
      EXPECT_EQ(to_string(*as_parsed(pn)->quartet()), b["uid"]);
      if (c == "truncated" || c == "zero_byte") {
        ASSERT_NE(as_error(hr), nullptr);
        EXPECT_NE(as_error(hr)->reason.find(c == "truncated" ? "truncated" : "empty"), std::string::npos)
            << as_error(hr)->reason;
        EXPECT_EQ(b["expect"], "failed");
      } else if (c == "header_mismatch") {
        ASSERT_NE(as_header(hr), nullptr);
        EXPECT_FALSE(compare_with_name(*as_header(hr), *as_parsed(pn)).empty());
        EXPECT_EQ(b["expect"], "flagged");
      } else if (c == "lofreq_zero") {
        ASSERT_NE(as_header(hr), nullptr);
        EXPECT_EQ(as_header(hr)->data_kind, bits(DataKind::Tune));
        EXPECT_FALSE(as_header(hr)->problems.empty());
        EXPECT_EQ(b["expect"], "flagged");
      } else {
        ADD_FAILURE() << "unknown case";
      }
    }
  }

  // ncdump (Debian netcdf-bin) reads a file of each format.
  for (const char* f : {"classic", "64bit_offset", "netcdf4"}) {
    SCOPED_TRACE(f);
    ASSERT_TRUE(one_per_format.count(f));
    auto [rc, out] = run_shell("ncdump -h '" + one_per_format[f] + "' 2>&1");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("ObsNum"), std::string::npos) << out;
  }

  // The site database indexes every network file; the catalogue has a row per telescope file.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(sdb.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sql;
    std::int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  std::int64_t network_files = 0;  // raw network files (reduction products are not in the site database)
  for (const auto& f : m["files"])
    if (f["raw"].get<bool>() && f["interface"].get<std::string>().rfind("toltec", 0) == 0) ++network_files;
  EXPECT_EQ(scalar("SELECT count(*) FROM toltec WHERE Valid = 1"), network_files + 2);  // + mismatch, LoFreq 0
  EXPECT_EQ(scalar("SELECT count(*) FROM toltec WHERE Valid = 0"), 2);                  // truncated, zero-byte
  EXPECT_EQ(scalar("SELECT count(*) FROM toltec WHERE FileName NOT LIKE '/data_lmt/toltec/%'"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM master"), 4);
  EXPECT_EQ(scalar("SELECT count(*) FROM obstype"), 5);
  EXPECT_EQ(scalar("SELECT count(*) FROM toltec t JOIN master m ON m.id = t.Master WHERE m.label = 'ics' AND "
                   "t.FileName NOT LIKE '/data_lmt/toltec/ics/%'"),
            0);
  sqlite3_close(db);
  std::ifstream cat(csv);
  std::string line;
  int lines = 0;
  while (std::getline(cat, line)) ++lines;
  EXPECT_EQ(lines - 1, m["counts"]["per_interface"]["tel_toltec"].get<int>());

  // Same seed, same archive.
  auto again = test::run_cli(
      {"simulate", (tmp / "again").string(), "--seed", "3", "--bad-files", "--reduced", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
}

TEST(SimulateE2E, NamesOnlyWritesZeroByteFilesWithGoodNames) {
  test::TempDir tmp;
  auto r = test::run_cli({"simulate", tmp.str(), "--names-only", "--nights", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json m = json::parse(r.out);
  EXPECT_TRUE(m["names_only"].get<bool>());
  std::size_t n = 0;
  for (const auto& f : m["files"]) {
    const std::string rel = f["path"];
    auto pn = parse_filename(rel);
    ASSERT_NE(as_parsed(pn), nullptr) << rel;
    EXPECT_EQ(data_kind_names(as_parsed(pn)->data_kind), f["kind"]);
    EXPECT_EQ(fs::file_size(tmp / rel), 0u);
    ++n;
  }
  EXPECT_GT(n, 2000u);
}

TEST(SimulateE2E, HumanOutputHelpAndErrors) {
  test::TempDir tmp;
  auto r = test::run_cli({"simulate", (tmp / "a").string(), "--format", "classic", "--networks", "0-2", "--no-hwpr"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("VnaSweep"), std::string::npos);
  EXPECT_NE(r.out.find("toltec2"), std::string::npos);
  EXPECT_EQ(r.out.find("hwpr"), std::string::npos);
  EXPECT_NE(r.out.find("expected groups"), std::string::npos);
  auto q = test::run_cli({"simulate", (tmp / "b").string(), "--quiet", "--scale", "0.2"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "");
  auto h = test::run_cli({"simulate", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("Examples:"), std::string::npos);
  EXPECT_NE(h.out.find("--bad-files"), std::string::npos);
  auto bad = test::run_cli({"simulate", (tmp / "c").string(), "--networks", "0-13"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--networks"), std::string::npos) << bad.err;
  auto bad_date = test::run_cli({"simulate", (tmp / "d").string(), "--start-date", "2024-02-30"});
  EXPECT_EQ(bad_date.exit_code, 1);
  EXPECT_NE(bad_date.err.find("--start-date"), std::string::npos) << bad_date.err;
  auto bad_fmt = test::run_cli({"simulate", (tmp / "e").string(), "--format", "hdf5"});
  EXPECT_EQ(bad_fmt.exit_code, 1);
  std::ofstream((tmp / "file").string()) << "x";
  auto not_dir = test::run_cli({"simulate", (tmp / "file").string(), "--quiet"});
  EXPECT_EQ(not_dir.exit_code, 1);
  EXPECT_NE(not_dir.err.find("not a directory"), std::string::npos) << not_dir.err;
}

// `simulate --live`: the same night as without it (the tree as a batch ingest sees it), progress on
// stderr, and errors for --speed without --live or a speed that is not positive (nothing written).
TEST(SimulateE2E, LiveWritesTheSameNightAndRefusesBadSpeeds) {
  test::TempDir tmp;
  const std::vector<std::string> night = {"--scale", "0.1", "--seed", "4", "--drop-network", "3@10", "--json"};
  auto args = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> a = {"simulate", (tmp / out).string()};
    a.insert(a.end(), night.begin(), night.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto batch = test::run_cli(args("batch", {}));
  ASSERT_EQ(batch.exit_code, 0) << batch.err;
  auto live = test::run_cli(args("live", {"--live", "--speed", "100000"}));
  ASSERT_EQ(live.exit_code, 0) << live.err;
  EXPECT_EQ(live.out, batch.out);  // the same manifest
  EXPECT_EQ(live.err, "");         // --json: no progress lines
  auto shown = test::run_cli({"simulate", (tmp / "shown").string(), "--scale", "0.1", "--live", "--speed", "100000"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.err.find("files written"), std::string::npos) << shown.err;
  EXPECT_NE(shown.out.find("wrote "), std::string::npos) << shown.out;
  for (const auto& db : {"batch", "live"}) {
    auto r = test::run_cli({"ingest", "directory", (tmp / db).string(), "--db", (tmp / (std::string(db) + ".duckdb")).string(), "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto obs = [&](const std::string& db) {
    auto r = test::run_cli({"query", "obs", "--db", (tmp / (db + ".duckdb")).string(), "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  EXPECT_EQ(obs("live"), obs("batch"));

  auto no_live = test::run_cli({"simulate", (tmp / "x").string(), "--speed", "10"});
  EXPECT_EQ(no_live.exit_code, 1);
  EXPECT_NE(no_live.err.find("--speed needs --live"), std::string::npos) << no_live.err;
  auto zero = test::run_cli({"simulate", (tmp / "y").string(), "--live", "--speed", "0"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.err.find("--speed 0"), std::string::npos) << zero.err;
  EXPECT_FALSE(fs::exists(tmp / "x"));
  EXPECT_FALSE(fs::exists(tmp / "y"));
}

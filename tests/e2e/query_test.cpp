// End to end: simulate a night, ingest it, generate associations, then every
// query command against the simulator's manifest (the independent truth):
// observations, files, groups, stats, provenance, exports, empty results.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/duckdb/duckdb.h"
#include "model/quartet.h"
#include "model/query_types.h"
#include "query/spec.h"
#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// One simulated, ingested, associated night shared by the tests (read-only).
struct Night {
  test::TempDir tmp;
  std::string root, url;
  json manifest;
  std::string error;  // the first setup step that failed (every test then fails on it; none is skipped)

  explicit Night(bool bad_files) {
    root = (tmp / "data_lmt").string();
    url = "duckdb:///" + (tmp / "reg.duckdb").string();
    auto step = [&](const std::vector<std::string>& args) {
      if (!error.empty()) return test::RunResult{};
      auto r = test::run_cli(args);
      if (r.exit_code != 0) error = fmt::format("{} failed ({}): {}", args[0], r.exit_code, r.err);
      return r;
    };
    std::vector<std::string> sim_args{"simulate", root, "--seed", "5", "--scale", "0.3", "--json", "-q"};
    if (bad_files) sim_args.push_back("--bad-files");
    auto sim = step(sim_args);
    if (error.empty()) manifest = json::parse(sim.out);
    step({"db", "init", "--db", url, "--location", "LMT", "--data-root", root});
    step({"ingest", "directory", root, "--location", "LMT", "--db", url, "-q"});
    step({"assoc", "generate", "--db", url});
  }
};

// A clean night (exact comparisons with the manifest) and one with the
// simulator's bad files (failures, flagged files), each built once.
Night& night() {
  static Night n(false);
  return n;
}
Night& bad_night() {
  static Night n(true);
  return n;
}

class QueryE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(night().error, "") << "setup";
  }
  static test::RunResult q(std::vector<std::string> args) {
    args.insert(args.begin(), "query");
    args.push_back("--db");
    args.push_back(night().url);
    return test::run_cli(args);
  }
  static json qjson(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = q(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::array();
  }
  static const json& m() { return night().manifest; }
  static std::vector<int> nets_of(const json& o) { return o["networks"].get<std::vector<int>>(); }
  // Raw observations of the manifest a spec selects.
  static std::set<std::string> manifest_obs(const std::string& spec_text) {
    auto spec = query::parse_spec(spec_text);
    std::set<std::string> out;
    for (const auto& o : m()["raw_obs"]) {
      auto q = parse_quartet(o["uid"].get<std::string>());
      if (q && spec.matches(*q)) out.insert(o["uid"]);
    }
    return out;
  }
};

TEST_F(QueryE2E, EveryObservationAgreesWithTheManifest) {
  auto all = qjson({"obs"});
  ASSERT_EQ(all.size(), m()["raw_obs"].size());
  std::map<std::string, json> got;
  for (auto& o : all) got[o["uid"]] = o;
  std::map<std::string, std::set<std::string>> cal;
  for (const auto& e : m()["cal_edges"]) cal[e["src"]].insert(e["dst"]);
  for (const auto& want : m()["raw_obs"]) {
    std::string uid = want["uid"];
    ASSERT_TRUE(got.count(uid)) << uid;
    const auto& o = got[uid];
    EXPECT_EQ(o["master"], want["master"]) << uid;
    EXPECT_EQ(o["obsnum"], want["obsnum"]) << uid;
    EXPECT_EQ(o["data_kind"], want["data_kind"]) << uid;
    EXPECT_EQ(o["start_time"], want["start_time"]) << uid;
    EXPECT_EQ(o["n_files"], want["n_files"]) << uid;
    auto nets = nets_of(want);
    std::sort(nets.begin(), nets.end());
    EXPECT_EQ(o["networks"], query::compress_numbers(nets)) << uid;
    EXPECT_EQ(o["cal"].get<std::set<std::string>>(), cal[uid]) << uid;
    if (!want["cal"].is_null()) {
      EXPECT_TRUE(cal[uid].count(want["cal"])) << uid;
    }
    if (!want["obs_goal"].is_null()) {
      EXPECT_EQ(o["obs_goal"], want["obs_goal"]) << uid;
    }
  }
  // Sequence order: start times never decrease.
  for (std::size_t i = 1; i < all.size(); ++i)
    EXPECT_LE(all[i - 1]["start_time"].get<std::string>(), all[i]["start_time"].get<std::string>());
}

TEST_F(QueryE2E, SpecsSelectWhatTheParserSays) {
  // A spec per form, checked against the manifest through ObsSpec::matches.
  const auto& first = m()["raw_obs"][0];
  std::int64_t ics = 0, tcs = 0;
  for (const auto& o : m()["raw_obs"]) {
    if (o["master"] == "ics" && !ics) ics = o["obsnum"];
    if (o["master"] == "tcs" && !tcs) tcs = o["obsnum"];
  }
  ASSERT_TRUE(ics && tcs) << first;
  for (const std::string& spec :
       {fmt::format("{}", ics), fmt::format("ICS-{}", ics), fmt::format("ics-[{}:{}]", ics, ics + 5),
        fmt::format("ics-[{}:{}:2]", ics, ics + 9), fmt::format("tcs-{}-[]-1", tcs),
        fmt::format("tcs-{{{},{}}}", tcs, tcs + 2), fmt::format("[{}:]", tcs), std::string("[]")}) {
    std::set<std::string> got;
    for (auto& o : qjson({"obs", spec})) got.insert(o["uid"]);
    EXPECT_EQ(got, manifest_obs(spec)) << spec;
  }
}

TEST_F(QueryE2E, FilesAreExactlyTheSimulatorsFiles) {
  auto check = [&](const std::string& spec, const std::optional<std::string>& iface) {
    auto parsed = query::parse_spec(spec);
    std::set<std::string> want;
    for (const auto& f : m()["files"]) {
      auto q = parse_quartet(f["uid"].get<std::string>());
      if (!q || !parsed.matches(*q)) continue;
      std::string i = f["interface"];
      if (parsed.interface && i != *parsed.interface) continue;
      if (iface && i != *iface) continue;
      want.insert((fs::path(night().root) / f["path"].get<std::string>()).lexically_normal().string());
    }
    std::vector<std::string> args{"files", spec};
    if (iface) args.insert(args.end(), {"--interface", *iface});
    auto r = q(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> got;
    std::istringstream in(r.out);
    std::string line;
    std::size_t lines = 0;
    while (std::getline(in, line)) {
      got.insert(line);
      ++lines;
    }
    EXPECT_EQ(lines, got.size()) << spec << ": duplicate lines";
    EXPECT_EQ(got, want) << spec;
    EXPECT_FALSE(want.empty()) << spec;
  };
  std::int64_t ics = 0, tcs = 0;
  for (const auto& o : m()["raw_obs"]) {
    if (o["master"] == "ics" && !ics && o["n_files"].get<int>() > 3) ics = o["obsnum"];
    if (o["master"] == "tcs" && !tcs) tcs = o["obsnum"];
  }
  check(fmt::format("ics-{}", ics), std::nullopt);
  check(fmt::format("tcs-{}", tcs), std::nullopt);
  check(fmt::format("tcs-{}", tcs), std::string("tel_toltec"));
  check("[]/0", std::nullopt);
  check("[]", std::nullopt);
  // The paths exist on disk.
  auto r = q({"files", fmt::format("ics-{}", ics)});
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) EXPECT_TRUE(fs::exists(line)) << line;
}

// A group's name without its member count ("tcs-131281to131285-g5-focus" ->
// "tcs-131281to131285-focus"): the member count of focus/astig groups depends
// on which scans carry the ObsGoal (ingest gives the tune scan of an obsnum
// the telescope metadata of its obsnum; the simulator's manifest does not).
std::string without_count(const std::string& name) {
  auto g = name.rfind("-g");
  auto dash = name.find('-', g + 2);
  if (g == std::string::npos || dash == std::string::npos) return name;
  return name.substr(0, g) + name.substr(dash);
}

TEST_F(QueryE2E, GroupsAreTheManifestsGroups) {
  auto groups = qjson({"groups", "--members"});
  std::set<std::pair<std::string, std::string>> want, got;
  std::map<std::string, std::vector<std::string>> want_members, got_members;
  for (const auto& g : m()["groups"]) {
    std::string type = g["type"], name = g["name"];
    bool exact = type == "cal_group" || type == "drivefit";
    want.insert({type, exact ? name : without_count(name)});
    auto mem = g["members"].get<std::vector<std::string>>();
    std::sort(mem.begin(), mem.end());
    want_members[exact ? name : without_count(name)] = mem;
  }
  for (const auto& g : groups) {
    std::string type = g["type"], name = g["name"];
    bool exact = type == "cal_group" || type == "drivefit";
    got.insert({type, exact ? name : without_count(name)});
    std::vector<std::string> mem;
    for (const auto& x : g["members"]) mem.push_back(x["uid"]);
    std::sort(mem.begin(), mem.end());
    EXPECT_EQ(g["n_items"].get<std::size_t>(), mem.size()) << name;
    got_members[exact ? name : without_count(name)] = mem;
  }
  EXPECT_EQ(got, want);
  for (auto& [key, mem] : want_members) {
    const auto& have = got_members[key];
    if (key.find("-cal") != std::string::npos || key.find("-drivefit") != std::string::npos) {
      EXPECT_EQ(have, mem) << key;
    } else {
      EXPECT_TRUE(std::includes(have.begin(), have.end(), mem.begin(), mem.end())) << key;
    }
  }
  ASSERT_FALSE(want.empty());
  // --type filters; a spec selects the groups with such a member.
  for (const char* type : {"cal_group", "drivefit", "focus_group", "astig_group"}) {
    auto t = qjson({"groups", "--type", type});
    std::size_t n = 0;
    for (const auto& g : m()["groups"]) n += g["type"] == type;
    EXPECT_EQ(t.size(), n) << type;
  }
  const auto& g0 = m()["groups"][0];
  auto member = g0["members"][0].get<std::string>();
  bool found = false;
  for (const auto& g : qjson({"groups", member}))
    if (g["name"] == g0["name"]) found = true;
  EXPECT_TRUE(found) << member;
}

TEST_F(QueryE2E, StatsCountTheNight) {
  auto s = qjson({"stats"});
  EXPECT_EQ(s["observations"], m()["raw_obs"].size());
  EXPECT_EQ(s["groups"], m()["groups"].size());
  std::map<std::string, int> per_master;
  for (const auto& o : m()["raw_obs"]) per_master[o["master"]]++;
  for (auto& [k, v] : per_master) EXPECT_EQ(s["per_master"][k], v) << k;
  EXPECT_EQ(s["files"], m()["files"].size());
  EXPECT_EQ(s["missing_files"], 0);
  EXPECT_EQ(s["failed_ingests"], 0);
  std::map<std::string, std::int64_t> per_interface;
  for (const auto& n : s["networks"]) per_interface[n["interface"]] = n["files"];
  for (auto& [k, v] : m()["counts"]["per_interface"].items()) EXPECT_EQ(per_interface[k], v.get<std::int64_t>()) << k;
  EXPECT_GT(s["db_size"].get<std::int64_t>(), 0);
  ASSERT_FALSE(s["per_night"].empty());
  std::int64_t sum = 0;
  for (const auto& n : s["per_night"]) sum += n["observations"].get<std::int64_t>();
  EXPECT_EQ(sum, s["observations"]);
  std::size_t cal_edges = m()["cal_edges"].size();
  EXPECT_EQ(s["edges_per_type"]["dpa_raw_obs_cal_obs"], cal_edges);
}

TEST_F(QueryE2E, BadFilesShowAsFailedIngests) {
  auto& bad = bad_night();
  ASSERT_EQ(bad.error, "");
  auto r = test::run_cli({"query", "stats", "--json", "--db", bad.url});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = json::parse(r.out);
  std::set<std::string> failed;
  for (const auto& b : bad.manifest["bad_files"])
    if (b["expect"] == "failed") failed.insert(b["path"]);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(s["failed_ingests"], failed.size());
  std::set<std::string> subjects;
  for (const auto& f : s["recent_failures"]) subjects.insert(f["subject"]);
  for (const auto& p : failed) {
    bool named = false;
    for (const auto& sub : subjects) named |= sub.find(p) != std::string::npos;
    EXPECT_TRUE(named) << p;
  }
  EXPECT_EQ(s["observations"], bad.manifest["raw_obs"].size());
  // Flagged files are recorded: every good file is there, and the flagged ones too.
  EXPECT_GE(s["files"].get<std::size_t>(), bad.manifest["files"].size());
}

TEST_F(QueryE2E, ProvenanceFollowsTheCalChain) {
  // A timestream whose cal chain goes back several steps in the manifest.
  // Follow single-target pointers only (several targets branch the chain).
  std::map<std::string, std::string> cal;
  std::map<std::string, int> n_targets;
  for (const auto& e : m()["cal_edges"]) n_targets[e["src"]]++;
  for (const auto& e : m()["cal_edges"])
    if (n_targets[e["src"]] == 1) cal[e["src"]] = e["dst"];
  std::string start;
  std::size_t best = 0;
  for (auto& [src, dst] : cal) {
    std::size_t depth = 0;
    std::string cur = src;
    std::set<std::string> seen;
    while (cal.count(cur) && seen.insert(cur).second) {
      cur = cal[cur];
      ++depth;
    }
    if (depth > best) {
      best = depth;
      start = src;
    }
  }
  ASSERT_GE(best, 2u);
  auto p = qjson({"provenance", start});
  ASSERT_EQ(p.size(), 1u);
  std::vector<std::string> want, got;
  for (std::string cur = start; cal.count(cur) && want.size() < best; cur = cal[cur]) want.push_back(cal[cur]);
  for (const auto& c : p[0]["cal_chain"]) got.push_back(c["uid"]);
  // The chain is followed breadth first past the single-target part too.
  ASSERT_GE(got.size(), want.size());
  got.resize(want.size());
  EXPECT_EQ(got, want);
  EXPECT_EQ(p[0]["cal_chain"][0]["depth"], 1);
  EXPECT_EQ(p[0]["cal_chain"][0]["from"], start);
}

TEST_F(QueryE2E, ExportsReadBackWithTheRightRowCounts) {
  test::TempDir out;
  storage::duckdb::Database d(":memory:");
  storage::duckdb::Connection c(d);
  auto pq = (out / "obs.parquet").string();
  auto r = q({"export", pq});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(c.scalar_int("SELECT count(*) FROM read_parquet('" + pq + "')"),
            static_cast<std::int64_t>(m()["raw_obs"].size()));
  auto files = (out / "files.csv").string();
  ASSERT_EQ(q({"export", files, "--what", "files", "[]/tel_toltec"}).exit_code, 0);
  std::int64_t tel = 0;
  for (const auto& f : m()["files"]) tel += f["interface"] == "tel_toltec";
  EXPECT_EQ(c.scalar_int("SELECT count(*) FROM read_csv('" + files + "', header = true)"), tel);
  auto groups = (out / "groups.json").string();
  ASSERT_EQ(q({"export", groups, "--what", "groups"}).exit_code, 0);
  std::ifstream gf(groups);
  EXPECT_EQ(json::parse(gf).size(), m()["groups"].size());
  auto focus = (out / "focus.csv").string();
  auto fr = q({"export", focus, "--where", "obs_goal = focus", "--json"});
  ASSERT_EQ(fr.exit_code, 0) << fr.err;
  // The same selection as `query obs --goal focus` (ingest gives every scan of
  // an obsnum its telescope metadata), and at least the manifest's focus scans.
  std::size_t n_focus = 0;
  for (const auto& o : m()["raw_obs"]) n_focus += o["obs_goal"] == "focus";
  auto rows = json::parse(fr.out)["rows"].get<std::size_t>();
  EXPECT_EQ(rows, qjson({"obs", "--goal", "focus"}).size());
  EXPECT_GE(rows, n_focus);
  EXPECT_GT(n_focus, 0u);
}

TEST_F(QueryE2E, EmptyResultsAndJsonShapes) {
  EXPECT_EQ(qjson({"obs", "1"}), json::array());
  EXPECT_EQ(qjson({"files", "1"}), json::array());
  EXPECT_EQ(qjson({"groups", "1"}), json::array());
  EXPECT_EQ(qjson({"provenance", "1"}), json::array());
  auto r = q({"obs", "1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  auto latest = qjson({"obs", "latest"});
  ASSERT_EQ(latest.size(), 1u);
  std::string newest;
  for (const auto& o : m()["raw_obs"]) newest = std::max(newest, o["start_time"].get<std::string>());
  EXPECT_EQ(latest[0]["start_time"], newest);
  for (const char* k : {"uid", "master", "obsnum", "subobsnum", "scannum", "start_time", "data_kind", "kinds",
                        "networks", "interfaces", "n_files", "n_missing", "obs_goal", "source_name", "project_id",
                        "obs_pgm", "tau", "groups", "cal"})
    EXPECT_TRUE(latest[0].contains(k)) << k;
}

}  // namespace

// End to end: simulate nights, ingest them (all at once, or night by night
// with observations completed later), generate associations with the real
// binary, and compare with the simulator's manifest (groups and cal edges).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "storage/duckdb/assoc_store.h"
#include "storage/duckdb/session.h"
#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

test::RunResult ok(const std::vector<std::string>& args) {
  auto r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.err;
  return r;
}

struct Expected {
  std::map<std::string, std::set<std::string>> groups;  // "type name" -> members
  std::set<std::string> edges;                           // "src -> dst [networks]"
};

Expected from_manifest(const json& m) {
  Expected e;
  for (const auto& g : m.at("groups")) {
    auto& s = e.groups[g.at("type").get<std::string>() + " " + g.at("name").get<std::string>()];
    for (const auto& u : g.at("members")) s.insert(u.get<std::string>());
  }
  for (const auto& c : m.at("cal_edges"))
    e.edges.insert(fmt::format("{} -> {} {}", c.at("src").get<std::string>(), c.at("dst").get<std::string>(),
                               c.at("networks").dump()));
  return e;
}

Expected from_db(const std::string& path) {
  storage::OpenOptions o;
  o.mode = storage::OpenMode::ReadOnly;
  auto s = storage::duckdb::Session::open("duckdb:///" + path, o);
  auto d = storage::duckdb::make_assoc_store(*s)->dump();
  Expected e;
  for (const auto& g : d.groups) {
    std::string type = g.product_type.substr(3);  // dp_cal_group -> cal_group
    auto& m = e.groups[type + " " + g.name];
    m.insert(g.members.begin(), g.members.end());
    EXPECT_EQ(g.n_items, static_cast<std::int64_t>(g.members.size())) << g.uid;
  }
  for (const auto& c : d.cal_edges) {
    auto ctx = json::parse(c.context);
    e.edges.insert(fmt::format("{} -> {} {}", c.src, c.dst, ctx.at("networks").dump()));
  }
  return e;
}

// Groups (type, name, members) and cal edges equal the manifest's exactly.
void expect_same(const Expected& got, const Expected& want, const json&) {
  for (const auto& [k, m] : want.groups) {
    auto it = got.groups.find(k);
    if (it == got.groups.end()) {
      ADD_FAILURE() << "missing group " << k;
      continue;
    }
    EXPECT_EQ(it->second, m) << k;
  }
  for (const auto& [k, m] : got.groups)
    if (!want.groups.count(k)) ADD_FAILURE() << "unexpected group " << k;
  std::vector<std::string> missing, extra;
  std::set_difference(want.edges.begin(), want.edges.end(), got.edges.begin(), got.edges.end(),
                      std::back_inserter(missing));
  std::set_difference(got.edges.begin(), got.edges.end(), want.edges.begin(), want.edges.end(),
                      std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing cal edges, first " << (missing.empty() ? "" : missing.front());
  EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected cal edges, first " << (extra.empty() ? "" : extra.front());
}

}  // namespace

TEST(AssocE2E, SimulatedNightsGiveTheManifestGroups) {
  test::TempDir tmp;
  const std::string root = (tmp / "data_lmt").string(), dbp = (tmp / "reg.duckdb").string();
  const std::string url = "duckdb:///" + dbp;
  auto sim = ok({"simulate", root, "--seed", "3", "--nights", "2", "--scale", "0.3", "--json", "-q"});
  auto manifest = json::parse(sim.out);
  ok({"db", "init", "--db", url, "--location", "LMT", "--data-root", root});
  ok({"ingest", "directory", root, "--location", "LMT", "--db", url, "-q"});
  auto gen = json::parse(ok({"assoc", "generate", "--db", url, "--json"}).out);
  EXPECT_EQ(gen["mode"], "full");  // no state yet: said out loud
  EXPECT_FALSE(gen["messages"].empty());
  auto want = from_manifest(manifest);
  std::set<std::string> types;
  for (const auto& [k, m] : want.groups) types.insert(k.substr(0, k.find(' ')));
  EXPECT_EQ(types.size(), 4u) << "the manifest should hold every group type";
  EXPECT_FALSE(want.edges.empty());
  expect_same(from_db(dbp), want, manifest);
  // Nothing left to do, in either mode.
  auto inc = json::parse(ok({"assoc", "generate", "--db", url, "--json"}).out);
  EXPECT_EQ(inc["mode"], "incremental");
  EXPECT_EQ(inc["pending"], 0);
  auto full = json::parse(ok({"assoc", "generate", "--full", "--db", url, "--json"}).out);
  for (const char* k : {"groups_created", "groups_updated", "groups_deleted", "edges_added", "edges_removed"})
    EXPECT_EQ(full[k], 0) << k;
  auto st = json::parse(ok({"assoc", "state", "--db", url, "--json"}).out);
  EXPECT_TRUE(st["exists"].get<bool>());
  for (const auto& r : st["rules"]) EXPECT_EQ(r["pending"], 0) << r["type"];
}

// Night 1 (with some observations of night 2 partly written) first, the rest
// later: incremental generation after each ingest equals the manifest.
TEST(AssocE2E, NightByNightIncrementalWithFilesystemState) {
  test::TempDir tmp;
  const std::string src = (tmp / "sim").string(), root = (tmp / "data_lmt").string();
  const std::string dbp = (tmp / "reg.duckdb").string(), url = "duckdb:///" + dbp;
  const std::string state_dir = (tmp / "assoc_state").string();
  auto manifest = json::parse(ok({"simulate", src, "--seed", "4", "--nights", "2", "--scale", "0.3", "--json", "-q"}).out);
  // Split the observations at the largest gap in start time (between nights).
  std::vector<std::pair<std::string, std::string>> obs;  // start_time, uid
  for (const auto& o : manifest["raw_obs"]) obs.emplace_back(o["start_time"], o["uid"]);
  std::sort(obs.begin(), obs.end());
  std::size_t cut = obs.size() / 2;
  std::set<std::string> night1;
  for (std::size_t i = 0; i < cut; ++i) night1.insert(obs[i].second);
  std::set<std::string> partial;  // the first observations after the cut: half their files early
  for (std::size_t i = cut; i < std::min(obs.size(), cut + 6); ++i) partial.insert(obs[i].second);
  std::vector<std::string> later;
  int k = 0;
  auto copy = [&](const std::string& rel) {
    fs::create_directories((fs::path(root) / rel).parent_path());
    fs::copy_file(fs::path(src) / rel, fs::path(root) / rel, fs::copy_options::overwrite_existing);
  };
  for (const auto& f : manifest["files"]) {
    const std::string rel = f["path"], uid = f["uid"].is_string() ? f["uid"].get<std::string>() : "";
    if (night1.count(uid) || (partial.count(uid) && (k++ % 2 == 0)))
      copy(rel);
    else
      later.push_back(rel);
  }
  ok({"db", "init", "--db", url, "--location", "LMT", "--data-root", root});
  ok({"ingest", "directory", root, "--location", "LMT", "--db", url, "-q"});
  auto g1 = json::parse(ok({"assoc", "generate", "--db", url, "--state-dir", state_dir, "--json"}).out);
  EXPECT_EQ(g1["mode"], "full");
  EXPECT_TRUE(fs::exists(fs::path(state_dir) / "assoc_state.json"));
  for (const auto& rel : later) copy(rel);
  ok({"ingest", "directory", root, "--location", "LMT", "--db", url, "-q"});
  auto g2 = json::parse(ok({"assoc", "generate", "--incremental", "--db", url, "--state-dir", state_dir, "--json"}).out);
  EXPECT_EQ(g2["mode"], "incremental");
  EXPECT_GT(g2["pending"].get<int>(), 0);
  EXPECT_LT(g2["considered"].get<int>(), static_cast<int>(obs.size()));
  expect_same(from_db(dbp), from_manifest(manifest), manifest);
  auto full = json::parse(ok({"assoc", "generate", "--full", "--db", url, "--state-dir", state_dir, "--json"}).out);
  for (const char* key : {"groups_created", "groups_updated", "groups_deleted", "edges_added", "edges_removed"})
    EXPECT_EQ(full[key], 0) << key;
  // The database backend had no state of its own: its first run is a full one.
  auto db_state = json::parse(ok({"assoc", "state", "--db", url, "--json"}).out);
  EXPECT_FALSE(db_state["exists"].get<bool>());
}

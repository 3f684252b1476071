// Everyday questions answered by one command, checked against the simulator's
// manifest: --incomplete, --arrived-since, --newest, files --missing without a
// spec, --where case-insensitive, relative times, the assoc generate change
// list, the ingest obsnum ranges and nights, --format on every data command.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "model/query_types.h"
#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;

namespace {

struct Night {
  test::TempDir tmp;
  std::string root, url, error;
  json manifest, ingest, generate;
  Night() {
    root = (tmp / "data_lmt").string();
    url = "duckdb:///" + (tmp / "reg.duckdb").string();
    auto step = [&](std::vector<std::string> args) {
      if (!error.empty()) return json();
      auto r = test::run_cli(args);
      if (r.exit_code != 0) error = fmt::format("{} {}: {}", args[0], args[1], r.err);
      return r.exit_code == 0 && !r.out.empty() ? json::parse(r.out) : json();
    };
    manifest = step({"simulate", root, "--seed", "2", "--scale", "0.2", "--json", "-q"});
    step({"db", "init", "--db", url, "--location", "LMT", "--data-root", root, "--json"});
    ingest = step({"ingest", "directory", root, "--location", "LMT", "--db", url, "--json", "-q"});
    generate = step({"assoc", "generate", "--db", url, "--json"});
  }
};

Night& night() {
  static Night n;
  return n;
}

class Everyday : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(night().error, "") << "setup"; }
  static test::RunResult run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(night().url);
    return test::run_cli(args);
  }
  static json js(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << fmt::format("{}", fmt::join(args, " ")) << ": " << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::array();
  }
};

TEST_F(Everyday, IncompleteListsTheMissingNetworksOfTheManifest) {
  // Expected: per (master, night) the union of the manifest's networks; missing = union - own.
  std::map<std::pair<std::string, std::string>, std::set<int>> seen;
  auto key = [](const json& o) {
    return std::make_pair(o["master"].get<std::string>(), o["start_time"].get<std::string>().substr(0, 10));
  };
  for (const auto& o : night().manifest["raw_obs"])
    for (int n : o["networks"].get<std::vector<int>>()) seen[key(o)].insert(n);
  std::map<std::string, std::string> want;
  for (const auto& o : night().manifest["raw_obs"]) {
    auto have = o["networks"].get<std::set<int>>();
    std::vector<int> miss;
    for (int n : seen[key(o)])
      if (!have.count(n)) miss.push_back(n);
    if (!miss.empty()) want[o["uid"].get<std::string>()] = query::compress_numbers(miss);
  }
  ASSERT_FALSE(want.empty()) << "the simulator drops networks from about 12% of observations";
  std::map<std::string, std::string> got;
  for (const auto& o : js({"query", "obs", "--incomplete"}))
    got[o["uid"].get<std::string>()] = o["missing_networks"].get<std::string>();
  EXPECT_EQ(got, want);
  auto limited = js({"query", "obs", "--incomplete", "--limit", "2"});
  EXPECT_EQ(limited.size(), std::min<std::size_t>(2, want.size()));
  auto table = run({"query", "obs", "--incomplete", "--wide"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("missing_networks"), std::string::npos);
}

TEST_F(Everyday, NewestReversesTheOrderAndLimitTakesTheLast) {
  auto all = js({"query", "obs"});
  ASSERT_GT(all.size(), 5u);
  auto newest = js({"query", "obs", "--newest", "--limit", "3"});
  ASSERT_EQ(newest.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(newest[i]["uid"], all[all.size() - 1 - i]["uid"]);
  auto groups = js({"query", "groups"}), newest_groups = js({"query", "groups", "--reverse", "--limit", "1"});
  ASSERT_EQ(newest_groups.size(), 1u);
  EXPECT_EQ(newest_groups[0]["latest_member_time"], groups.back()["latest_member_time"]);
  auto files = js({"query", "files", "[]"}), newest_files = js({"query", "files", "[]", "--newest"});
  ASSERT_EQ(files.size(), newest_files.size());
  EXPECT_EQ(newest_files.front()["obs_uid"], files.back()["obs_uid"]);
}

TEST_F(Everyday, ArrivedSinceUsesTheIngestTime) {
  auto all = js({"query", "obs"});
  EXPECT_EQ(js({"query", "obs", "--arrived-since", "-1h"}).size(), all.size());  // all ingested just now
  EXPECT_EQ(js({"query", "obs", "--arrived-since", "now"}).size(), 0u);
  EXPECT_EQ(js({"query", "obs", "--arrived-since", "2000-01-01"}).size(), all.size());
  auto bad = run({"query", "obs", "--arrived-since", "soon"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--arrived-since 'soon'"), std::string::npos) << bad.err;
}

TEST_F(Everyday, RelativeAndAbsoluteTimesEverywhere) {
  auto all = js({"query", "obs"});
  ASSERT_FALSE(all.empty());
  const std::string day = all.front()["start_time"].get<std::string>().substr(0, 10);
  EXPECT_EQ(js({"query", "obs", "--since", day}).size(), all.size());
  EXPECT_EQ(js({"query", "obs", "--since", "yesterday"}).size(), 0u);  // the simulated night is in the past
  EXPECT_EQ(js({"query", "obs", "--until", "-1d"}).size(), all.size());
  EXPECT_EQ(js({"query", "groups", "--since", "today"}).size(), 0u);
  EXPECT_EQ(js({"query", "obs", "--since", day + "T00:00:00Z", "--until", "-12h"}).size(), all.size());
}

TEST_F(Everyday, MissingFilesNeedNoSpec) {
  auto r = run({"query", "files", "--missing", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), json::array());  // a clean night: nothing missing
  auto none = run({"query", "files"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("--missing"), std::string::npos) << none.err;
}

TEST_F(Everyday, WhereComparesTextLikeTheDedicatedFilters) {
  const std::size_t focus = js({"query", "obs", "--goal", "Focus"}).size();
  ASSERT_GT(focus, 0u);
  test::TempDir out;
  for (const char* term : {"obs_goal = Focus", "obs_goal = FOCUS", "obs_goal = focus"}) {
    auto r = run({"query", "export", (out / "f.json").string(), "--where", term, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["rows"], focus) << term;
    std::filesystem::remove(out / "f.json");
  }
}

TEST_F(Everyday, GenerateNamesWhatChangedAndANoOpSaysUnchanged) {
  const auto& g = night().generate;
  auto groups = js({"query", "groups"});
  std::set<std::string> names, created;
  for (const auto& x : groups)
    if (x["type"] != "named_group") names.insert(x["name"].get<std::string>());
  for (const auto& c : g["changes"]) {
    EXPECT_EQ(c["change"], "created");
    EXPECT_TRUE(c["old_name"].is_null());
    created.insert(c["name"].get<std::string>());
  }
  EXPECT_EQ(created, names);
  EXPECT_EQ(g["groups_created"], names.size());
  auto again = js({"assoc", "generate"});
  EXPECT_EQ(again["changes"], json::array());
  EXPECT_EQ(again["groups_created"], 0);
  EXPECT_EQ(again["groups_unchanged"], names.size());  // truthful on a no-op run
  auto text = run({"assoc", "generate"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(fmt::format("{} unchanged", names.size())), std::string::npos) << text.out;
}

TEST_F(Everyday, IngestReportsObsnumRangesAndNights) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> want;
  std::set<std::string> nights;
  for (const auto& o : night().manifest["raw_obs"]) {
    const auto n = o["obsnum"].get<std::int64_t>();
    auto it = want.try_emplace(o["master"].get<std::string>(), n, n).first;
    it->second.first = std::min(it->second.first, n);
    it->second.second = std::max(it->second.second, n);
    nights.insert(o["start_time"].get<std::string>().substr(0, 10));
  }
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> got;
  for (const auto& r : night().ingest["obsnum_ranges"])
    got[r["master"].get<std::string>()] = {r["first_obsnum"].get<std::int64_t>(), r["last_obsnum"].get<std::int64_t>()};
  EXPECT_EQ(got, want);
  EXPECT_EQ(night().ingest["nights"], json(std::vector<std::string>(nights.begin(), nights.end())));
}

TEST_F(Everyday, EveryDataCommandTakesFormat) {
  for (const char* f : {"json", "csv", "tsv", "table"})
    for (auto cmd : std::vector<std::vector<std::string>>{{"db", "info"}, {"assoc", "state"}, {"assoc", "group", "list"},
                                                          {"query", "stats"}, {"query", "groups"}}) {
      cmd.insert(cmd.end(), {"--format", f});
      auto r = run(cmd);
      EXPECT_EQ(r.exit_code, 0) << fmt::format("{}", fmt::join(cmd, " ")) << ": " << r.err;
      if (std::string(f) == "json") {
        EXPECT_TRUE(json::accept(r.out)) << r.out;
      }
    }
}

TEST_F(Everyday, KindsHaveOneShape) {
  for (const auto& o : js({"query", "obs"})) {
    ASSERT_TRUE(o["kinds"].is_array());
    ASSERT_TRUE(o["data_kind"].is_number_integer());
  }
  for (const auto& o : night().manifest["raw_obs"]) ASSERT_TRUE(o["kinds"].is_array());
}

}  // namespace

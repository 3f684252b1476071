// The assoc commands through the real binary, on a synthetic registry.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/synthetic.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"
#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;

namespace {

struct Registry {
  test::TempDir tmp;
  std::string url;
  Registry(std::int64_t n = 150) {
    url = "duckdb:///" + (tmp / "reg.duckdb").string();
    storage::OpenOptions o;
    o.mode = storage::OpenMode::Create;
    auto s = storage::duckdb::Session::open(url, o);
    sim::NightOptions no;
    no.n_obs = n;
    no.networks = 3;
    sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(no));
  }
  test::RunResult run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(url);
    return test::run_cli(args);
  }
  json ok(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
};

}  // namespace

TEST(AssocCli, GenerateDryRunStateReset) {
  Registry reg;
  auto dry = reg.ok({"assoc", "generate", "--dry-run"});
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  EXPECT_GT(dry["groups_created"].get<int>(), 0);
  auto st = reg.ok({"assoc", "state"});
  EXPECT_FALSE(st["exists"].get<bool>());  // dry run wrote nothing
  auto g = reg.ok({"assoc", "generate"});
  EXPECT_EQ(g["mode"], "full");
  EXPECT_EQ(g["groups_created"], dry["groups_created"]);
  ASSERT_EQ(g["rules"].size(), 5u);
  st = reg.ok({"assoc", "state"});
  EXPECT_TRUE(st["exists"].get<bool>());
  EXPECT_TRUE(st["mismatch"].is_null());
  for (const auto& r : st["rules"]) {
    EXPECT_EQ(r["pending"], 0);
    EXPECT_EQ(r["watermark"], st["max_ingest_seq"]);
  }
  auto inc = reg.ok({"assoc", "generate", "--incremental"});
  EXPECT_EQ(inc["mode"], "incremental");
  // Human output names the mode and the counts.
  auto human = reg.run({"assoc", "generate"});
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("assoc generate: incremental"), std::string::npos) << human.out;
  // reset-state refuses without --yes when stdin is not a terminal.
  auto refused = reg.run({"assoc", "reset-state"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos);
  reg.ok({"assoc", "reset-state", "--yes"});
  auto again = reg.ok({"assoc", "generate"});
  EXPECT_EQ(again["mode"], "full");
  EXPECT_NE(again["full_reason"].get<std::string>().find("no state"), std::string::npos);
  EXPECT_EQ(again["groups_created"], 0);  // the groups stayed; nothing to change
}

TEST(AssocCli, StreamAndTypes) {
  Registry reg(200);
  reg.ok({"assoc", "generate", "--types", "cal_group"});
  auto s = reg.ok({"assoc", "stream", "--batch-size", "40", "--commit-every", "2"});
  // cal_group has nothing pending; the other types start from no state: a full run first.
  EXPECT_FALSE(s["full_reason"].is_null());
  EXPECT_EQ(s["remaining"], 0);
  auto bad = reg.run({"assoc", "generate", "--types", "cal_group,nope"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown association type 'nope'"), std::string::npos) << bad.err;
  // --state filesystem without --state-dir: the seed's default directory ./.tolteca_db_state.
  auto nodir = reg.ok({"assoc", "state", "--state", "filesystem"});
  EXPECT_EQ(nodir["location"], "./.tolteca_db_state/assoc_state.json");
  auto fsst = reg.ok({"assoc", "state", "--state-dir", (reg.tmp / "st").string()});
  EXPECT_EQ(fsst["backend"], "filesystem");
  EXPECT_FALSE(fsst["exists"].get<bool>());
  for (const char* sub : {"generate", "stream", "state", "reset-state", "group"}) {
    auto h = test::run_cli({"assoc", sub, "--help"});
    EXPECT_EQ(h.exit_code, 0) << sub;
    EXPECT_NE(h.out.find("Examples:"), std::string::npos) << sub;
  }
}

TEST(AssocCli, NamedGroups) {
  Registry reg(150);
  reg.ok({"assoc", "generate"});
  auto c = reg.ok({"assoc", "group", "create", "night1", "ics-18002", "tcs-131000-0-{1,2}"});
  EXPECT_TRUE(c["created"].get<bool>());
  EXPECT_GT(c["n_items"].get<int>(), 1);
  const int n0 = c["n_items"];
  // A group product by uid or name is a member too.
  auto a = reg.ok({"assoc", "group", "add", "night1", "cal_group:ics-18002-0-0", "ics-18003"});
  EXPECT_EQ(a["n_items"].get<int>(), n0 + a["added"].get<int>());
  auto dup = reg.ok({"assoc", "group", "add", "night1", "ics-18002"});
  EXPECT_EQ(dup["added"], 0);
  auto r = reg.ok({"assoc", "group", "remove", "night1", "ics-18003"});
  EXPECT_GT(r["removed"].get<int>(), 0);
  auto list = reg.ok({"assoc", "group", "list", "--members"});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["name"], "night1");
  EXPECT_EQ(list[0]["members"].size(), list[0]["n_items"].get<std::size_t>());
  // Errors: existing name, unknown group, a spec that does not parse, one that selects nothing.
  auto exists = reg.run({"assoc", "group", "create", "night1", "ics-18002"});
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_NE(exists.err.find("exists"), std::string::npos);
  auto missing = reg.run({"assoc", "group", "add", "nosuch", "ics-18002"});
  EXPECT_EQ(missing.exit_code, 1);
  auto bad = reg.run({"assoc", "group", "create", "g2", "ics-18x02"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("'x'"), std::string::npos) << bad.err;
  auto none = reg.run({"assoc", "group", "create", "g3", "ics-999999"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("selects no observation"), std::string::npos) << none.err;
  // Named groups survive regeneration (the engine never touches them).
  reg.ok({"assoc", "generate", "--full"});
  EXPECT_EQ(reg.ok({"assoc", "group", "list"})[0]["n_items"], list[0]["n_items"]);
  reg.ok({"assoc", "group", "delete", "night1"});
  EXPECT_TRUE(reg.ok({"assoc", "group", "list"}).empty());
}

// The incremental engine against full regeneration and against the pure rules.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <filesystem>
#include <unordered_map>

#include "assoc/state.h"
#include "engine_support.h"
#include "model/error.h"
#include "support/test_support.h"

using namespace tolteca;
using namespace tolteca::test;
using assoc::Mode;

namespace {

sim::NightOptions small_night(std::uint64_t seed, std::int64_t n) {
  sim::NightOptions o;
  o.seed = seed;
  o.n_obs = n;
  o.networks = 4;
  o.tie_fraction = 0.05;
  return o;
}

// What the pure rules give on the final data, as a dump (names, members).
storage::AssocDump expected_from_rules(storage::duckdb::Session& s) {
  auto repo_store = assoc_store(s);
  auto& repo = *repo_store;
  auto facts = repo.all_facts();
  std::unordered_map<std::int64_t, std::string> uid;
  for (const auto& f : facts) uid[f.id] = to_string(f.quartet());
  storage::AssocDump d;
  auto sorted = facts;
  std::sort(sorted.begin(), sorted.end(), seq_less);
  for (auto t : kGroupTypes) {
    auto gs = assoc::compute_groups(t, t == AssocType::cal_group ? sorted : facts);
    for (const auto& g : gs) {
      storage::AssocDump::G x;
      x.product_type = std::string(group_product_type(t));
      x.uid = g.uid();
      x.name = g.name();
      x.n_items = g.n();
      x.first_obsnum = g.first_obsnum;
      x.last_obsnum = g.last_obsnum;
      x.first_time = g.first_time;
      x.latest_time = g.latest_time;
      for (auto m : g.members) x.members.push_back(uid.at(m));
      std::sort(x.members.begin(), x.members.end());
      d.groups.push_back(std::move(x));
    }
  }
  std::sort(d.groups.begin(), d.groups.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
  for (const auto& e : assoc::cal_edges(repo.all_pointers(), facts))
    d.cal_edges.push_back({uid.at(e.src), uid.at(e.dst), cal_edge_context(e.roach_mask)});
  std::sort(d.cal_edges.begin(), d.cal_edges.end(),
            [](const auto& a, const auto& b) { return std::tie(a.src, a.dst) < std::tie(b.src, b.dst); });
  return d;
}

std::string describe_diff(const storage::AssocDump& a, const storage::AssocDump& b) {
  std::string out;
  std::map<std::string, const storage::AssocDump::G*> ma, mb;
  for (const auto& g : a.groups) ma[g.uid] = &g;
  for (const auto& g : b.groups) mb[g.uid] = &g;
  for (const auto& [u, g] : ma)
    if (!mb.count(u)) out += "only in incremental: " + g->name + " " + u + "\n";
    else if (!(*g == *mb[u])) out += "differs: " + g->name + " vs " + mb[u]->name + " " + u + "\n";
  for (const auto& [u, g] : mb)
    if (!ma.count(u)) out += "only in full: " + g->name + " " + u + "\n";
  if (a.cal_edges != b.cal_edges)
    out += fmt::format("cal edges differ: {} vs {}\n", a.cal_edges.size(), b.cal_edges.size());
  return out;
}

bool no_changes(const assoc::GenerateReport& r) {
  return r.groups_created == 0 && r.groups_updated == 0 && r.groups_deleted == 0 && r.edges_added == 0 &&
         r.edges_removed == 0;
}

}  // namespace

TEST(Engine, FullMatchesThePureRulesAndIsIdempotent) {
  auto s = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(small_night(7, 400)));
  auto r = run_generate(*s, Mode::full);
  EXPECT_EQ(r.mode, "full");
  EXPECT_GT(r.groups_created, 10);
  auto repo_store = assoc_store(*s);
  auto& repo = *repo_store;
  auto got = repo.dump();
  auto want = expected_from_rules(*s);
  EXPECT_EQ(got, want) << describe_diff(got, want);
  // Every group type appears in a night of 400.
  std::set<std::string> types;
  for (const auto& g : got.groups) types.insert(g.product_type);
  EXPECT_EQ(types.size(), 4u);
  EXPECT_GT(got.cal_edges.size(), 100u);
  // Again: nothing to change, in both modes.
  EXPECT_TRUE(no_changes(run_generate(*s, Mode::full)));
  auto inc = run_generate(*s, Mode::incremental);
  EXPECT_EQ(inc.mode, "incremental");
  EXPECT_EQ(inc.pending, 0);
  EXPECT_TRUE(no_changes(inc));
}

TEST(Engine, FirstIncrementalWithoutStateIsFullAndSaysSo) {
  auto s = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(small_night(3, 50)));
  auto r = run_generate(*s, Mode::incremental);
  EXPECT_EQ(r.mode, "full");
  EXPECT_NE(r.full_reason.find("no state"), std::string::npos) << r.full_reason;
  ASSERT_FALSE(r.messages.empty());
}

// The invariant: any order, any batch split, incremental after each batch ==
// full on the final data. Hundreds of orderings of small simulated nights,
// with partial arrivals (kind bits, start times and goals that change later).
namespace {
struct PropertyRun {
  int orderings = 0, runs = 0;
};
void check_orderings(storage::duckdb::Session& s, std::uint64_t seed, int n_orderings, std::int64_t n_obs, std::size_t max_batches,
                     PropertyRun& stats) {
  const auto night = sim::synthetic_night(small_night(seed, n_obs));
  std::mt19937_64 rng(seed * 7919);
  for (int k = 0; k < n_orderings; ++k, ++stats.orderings) {
    sim::clear_registry(*storage::duckdb::borrow(s));
    auto events = arrivals(night, rng, k % 4 == 0 ? 0.0 : 0.35);
    auto parts = split(events, rng, max_batches);
    for (const auto& part : parts) {
      sim::write_synthetic(*storage::duckdb::borrow(s), part);
      auto r = run_generate(s, Mode::incremental);
      ++stats.runs;
    }
    auto repo_store = assoc_store(s);
    auto& repo = *repo_store;
    auto inc = repo.dump();
    auto full = run_generate(s, Mode::full);
    auto after = repo.dump();
    ASSERT_TRUE(no_changes(full)) << "seed " << seed << " ordering " << k << ": full changed " << full.groups_created
                                  << "/" << full.groups_updated << "/" << full.groups_deleted << " groups, edges +"
                                  << full.edges_added << " -" << full.edges_removed << "\n"
                                  << describe_diff(inc, after);
    ASSERT_EQ(inc, after);
    if (k == 0) {
      auto want = expected_from_rules(s);
      ASSERT_EQ(after, want) << describe_diff(after, want);
    }
  }
}
}  // namespace

// Orderings per seed: 20, or $TOLTECA_TEST_PROPERTY_ORDERINGS (scripts/test.sh uses fewer under ASan,
// where this test alone took 6 minutes; the Release suite runs the full sample).
static int orderings_per_seed() {
  const char* v = std::getenv("TOLTECA_TEST_PROPERTY_ORDERINGS");
  return v && std::atoi(v) > 0 ? std::atoi(v) : 20;
}

TEST(EngineProperty, IncrementalAfterEachBatchEqualsFull) {
  const auto t0 = std::chrono::steady_clock::now();
  PropertyRun stats;
  auto s = memory_db();
  const int per_seed = orderings_per_seed();
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    check_orderings(*s, seed, per_seed, 30 + static_cast<std::int64_t>(seed % 4) * 10, 5, stats);
    if (HasFatalFailure()) return;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d orderings, %d incremental runs, %.1f s\n", stats.orderings, stats.runs, secs);
  EXPECT_GE(stats.orderings, 10 * per_seed);
}

// One observation (or arrival) per batch: the finest split.
TEST(EngineProperty, OneObservationPerBatch) {
  PropertyRun stats;
  auto s = memory_db();
  for (std::uint64_t seed = 201; seed <= 202; ++seed) {
    check_orderings(*s, seed, 1, 35, 1000, stats);
    if (HasFatalFailure()) return;
  }
}

// Same invariant through `stream` with small batches and commits every K.
TEST(EngineProperty, StreamEqualsFull) {
  auto s = memory_db();
  for (std::uint64_t seed = 101; seed <= 106; ++seed) {
    const auto night = sim::synthetic_night(small_night(seed, 60));
    std::mt19937_64 rng(seed);
    sim::clear_registry(*storage::duckdb::borrow(*s));
    auto events = arrivals(night, rng, 0.3);
    auto parts = split(events, rng, 4);
    for (const auto& part : parts) {
      sim::write_synthetic(*storage::duckdb::borrow(*s), part);
      assoc::StreamOptions so;
      so.batch_size = 1 + static_cast<std::int64_t>(seed % 7);
      so.commit_every = 1 + static_cast<std::int64_t>(seed % 3);
      auto rep = assoc::stream(*assoc_store(*s), so);
      EXPECT_EQ(rep.remaining, 0);
    }
    auto repo_store = assoc_store(*s);
    auto& repo = *repo_store;
    auto got = repo.dump();
    auto full = run_generate(*s, Mode::full);
    EXPECT_TRUE(no_changes(full)) << "seed " << seed << "\n" << describe_diff(got, repo.dump());
  }
}

TEST(EngineProperty, MaxBatchesLeavesTheRestPending) {
  auto s = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(small_night(5, 60)));
  run_generate(*s, Mode::full);
  sim::NightOptions more = small_night(6, 30);
  more.start_time += 40LL * 86400 * 1'000'000;
  more.ics_obsnum = 19000;
  more.tcs_obsnum = 132000;
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(more));
  assoc::StreamOptions so;
  so.batch_size = 7;
  so.max_batches = 2;
  auto rep = assoc::stream(*assoc_store(*s), so);
  EXPECT_EQ(rep.batches.size(), 2u);
  EXPECT_EQ(rep.remaining, 30 - 14);
  so.max_batches = 0;
  rep = assoc::stream(*assoc_store(*s), so);
  EXPECT_EQ(rep.remaining, 0);
  EXPECT_EQ(rep.batches.size(), 3u);  // 7 + 7 + 2
  EXPECT_TRUE(no_changes(run_generate(*s, Mode::full)));
}

TEST(Engine, DeletedObservationsForceAFullRegeneration) {
  auto s = memory_db();
  auto night = sim::synthetic_night(small_night(11, 120));
  sim::write_synthetic(*storage::duckdb::borrow(*s), night);
  run_generate(*s, Mode::full);
  // Delete a VNA that opens a group: its group must go.
  std::string vna;
  for (const auto& o : night)
    if (o.kind == 1 && o.q.master == Master::ics) vna = to_string(o.q);
  ASSERT_FALSE(vna.empty());
  ASSERT_EQ(sim::delete_raw_obs(*storage::duckdb::borrow(*s), {vna}), 1);
  auto r = run_generate(*s, Mode::incremental);
  EXPECT_EQ(r.mode, "full");
  EXPECT_NE(r.full_reason.find("deleted"), std::string::npos) << r.full_reason;
  auto repo_store = assoc_store(*s);
  auto& repo = *repo_store;
  EXPECT_EQ(repo.dump(), expected_from_rules(*s));
}

TEST(Engine, FilesystemStateAndAnotherDatabase) {
  TempDir dir;
  assoc::StateOptions fs_state{assoc::StateBackend::filesystem, (dir / "state").string()};
  auto a = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*a), sim::synthetic_night(small_night(21, 60)));
  auto r = run_generate(*a, Mode::incremental, fs_state);
  EXPECT_EQ(r.mode, "full");
  ASSERT_TRUE(std::filesystem::exists(dir / "state" / "assoc_state.json"));
  // No temp files left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "state")) (void)e, ++files;
  EXPECT_EQ(files, 1);
  // Database state untouched.
  EXPECT_FALSE(assoc_store(*a)->read_state().has_value());
  r = run_generate(*a, Mode::incremental, fs_state);
  EXPECT_EQ(r.mode, "incremental");

  // The same state directory with another database: detected, full.
  auto b = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*b), sim::synthetic_night(small_night(22, 30)));
  r = run_generate(*b, Mode::incremental, fs_state);
  EXPECT_EQ(r.mode, "full");
  EXPECT_NE(r.full_reason.find("another database"), std::string::npos) << r.full_reason;

  // reset-state removes the file.
  assoc::reset_state(*assoc_store(*b), fs_state);
  EXPECT_FALSE(std::filesystem::exists(dir / "state" / "assoc_state.json"));
}

TEST(Engine, WatermarkBeyondTheDatabaseIsAMismatch) {
  auto s = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(small_night(31, 40)));
  run_generate(*s, Mode::full);
  auto repo_store = assoc_store(*s);
  auto& repo = *repo_store;
  auto st = assoc::EngineState::from_json(*repo.read_state(), "test");
  for (auto& [name, r] : st.rules) r.watermark += 1000;
  repo.write_state(st.to_json());
  auto r = run_generate(*s, Mode::incremental);
  EXPECT_EQ(r.mode, "full");
  EXPECT_NE(r.full_reason.find("beyond"), std::string::npos) << r.full_reason;
}

TEST(Engine, DryRunWritesNothing) {
  TempDir dir;
  auto s = memory_db();
  sim::write_synthetic(*storage::duckdb::borrow(*s), sim::synthetic_night(small_night(41, 60)));
  assoc::GenerateOptions o;
  o.dry_run = true;
  o.state = {assoc::StateBackend::filesystem, (dir / "st").string()};
  auto r = assoc::generate(*assoc_store(*s), o);
  EXPECT_TRUE(r.dry_run);
  EXPECT_GT(r.groups_created, 0);
  auto repo_store = assoc_store(*s);
  auto& repo = *repo_store;
  EXPECT_TRUE(repo.dump().groups.empty());
  EXPECT_FALSE(std::filesystem::exists(dir / "st"));
  o.state = {};
  assoc::generate(*assoc_store(*s), o);
  EXPECT_FALSE(repo.read_state().has_value());
}

TEST(Engine, TypesSubsetKeepsOtherWatermarks) {
  auto s = memory_db();
  auto night = sim::synthetic_night(small_night(51, 120));
  std::vector<sim::SyntheticObs> first(night.begin(), night.begin() + 60), second(night.begin() + 60, night.end());
  sim::write_synthetic(*storage::duckdb::borrow(*s), first);
  run_generate(*s, Mode::full);
  sim::write_synthetic(*storage::duckdb::borrow(*s), second);
  assoc::GenerateOptions o;
  o.types = {AssocType::cal_group};
  auto r = assoc::generate(*assoc_store(*s), o);
  ASSERT_EQ(r.rules.size(), 1u);
  EXPECT_EQ(r.rules[0].type, "cal_group");
  auto info = assoc::state_info(*assoc_store(*s), {});
  for (const auto& rr : info.rules) {
    if (rr.type == "cal_group")
      EXPECT_EQ(rr.pending, 0);
    else
      EXPECT_EQ(rr.pending, 60) << rr.type;
  }
  // The rest catches up incrementally and the result equals full.
  auto r2 = run_generate(*s, Mode::incremental);
  EXPECT_EQ(r2.mode, "incremental");
  EXPECT_TRUE(no_changes(run_generate(*s, Mode::full)));
}

TEST(Engine, AssocTypeNames) {
  EXPECT_EQ(assoc::parse_assoc_types("drivefit, cal_group,raw_obs_cal_obs"),
            (std::vector<AssocType>{AssocType::cal_group, AssocType::drivefit,
                                          AssocType::cal_obs}));
  EXPECT_THROW(assoc::parse_assoc_types("cal_group,bogus"), UserError);
}

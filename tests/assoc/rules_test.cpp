// The association rules on hand-written sequences.
#include <gtest/gtest.h>

#include <algorithm>

#include "assoc/rules.h"

using namespace tolteca;
using namespace tolteca::assoc;

namespace {

constexpr DataKindBits V = 1, T = 2, U = 4, S = 8, L = 16;
constexpr std::uint8_t TCS = 0, ICS = 1;

struct Seq {
  std::vector<ObsFact> facts;
  std::int64_t next_id = 1;
  std::int64_t t = 1'700'000'000'000'000;
  // Appends an observation 60 s after the previous one; returns its id.
  std::int64_t add(std::uint8_t m, std::int64_t obsnum, std::int32_t sub, std::int32_t scan, DataKindBits kind,
                   GoalClass goal = GoalClass::none, std::int64_t dt_s = 60) {
    t += dt_s * 1'000'000;
    ObsFact f;
    f.id = next_id++;
    f.time = t;
    f.master = m;
    f.obsnum = obsnum;
    f.subobsnum = sub;
    f.scannum = scan;
    f.kind = kind;
    f.goal = goal;
    facts.push_back(f);
    return f.id;
  }
  std::vector<ObsFact> ordered() const {
    auto v = facts;
    std::sort(v.begin(), v.end(), seq_less);
    return v;
  }
};

std::vector<std::string> names(const std::vector<Group>& gs) {
  std::vector<std::string> out;
  for (const auto& g : gs) out.push_back(g.name());
  return out;
}

}  // namespace

TEST(CalGroup, VnaTargTuneChainAndNames) {
  Seq s;
  auto v = s.add(ICS, 18341, 0, 0, V);
  auto t = s.add(ICS, 18342, 0, 0, T);
  auto u = s.add(ICS, 18343, 0, 0, U);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].name(), "ics-18341-g3-cal");
  EXPECT_EQ(g[0].uid(), "cal_group:ics-18341-0-0");
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{v, t, u}));
  EXPECT_EQ(g[0].first_obsnum, 18341);
  EXPECT_EQ(g[0].last_obsnum, 18343);
  EXPECT_EQ(g[0].latest_time, s.facts.back().time);
}

TEST(CalGroup, VnaSeriesDropsGroupsOfOne) {
  Seq s;
  for (int i = 0; i < 100; ++i) s.add(ICS, 18000, i, 0, V);
  EXPECT_TRUE(cal_groups(s.ordered()).empty());
  // The last VNA of the series opens the group the next target sweep joins.
  s.add(ICS, 18001, 0, 0, T);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].uid(), "cal_group:ics-18000-99-0");
  EXPECT_EQ(g[0].name(), "ics-18000-g2-cal");
}

TEST(CalGroup, SweepsBeforeFirstVnaJoinNothing) {
  Seq s;
  s.add(ICS, 17990, 0, 0, T);
  s.add(ICS, 17991, 0, 0, U);
  auto v = s.add(ICS, 17992, 0, 0, V);
  auto t = s.add(ICS, 17993, 0, 0, T);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{v, t}));
}

TEST(CalGroup, TimestreamsNeitherJoinNorBreak) {
  Seq s;
  auto v = s.add(ICS, 100, 0, 0, V);
  s.add(ICS, 101, 0, 0, S);
  auto t = s.add(ICS, 102, 0, 0, T);
  s.add(TCS, 131000, 0, 2, S | L);
  auto u = s.add(ICS, 103, 0, 0, U);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{v, t, u}));
  EXPECT_EQ(g[0].name(), "ics-100-g3-cal");
}

TEST(CalGroup, MastersInterleavedInTimeShareTheOpenGroup) {
  Seq s;
  auto v = s.add(ICS, 100, 0, 0, V);
  auto t = s.add(ICS, 101, 0, 0, T);
  auto tcs_tune = s.add(TCS, 131000, 0, 1, U | L);
  s.add(TCS, 131000, 0, 2, S | L);
  auto v2 = s.add(TCS, 131001, 0, 0, V);  // a VNA of another master opens a new group
  auto u = s.add(ICS, 102, 0, 0, U);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{v, t, tcs_tune}));
  EXPECT_EQ(g[1].members, (std::vector<std::int64_t>{v2, u}));
  EXPECT_EQ(g[1].name(), "tcs-131001-g2-cal");
}

TEST(CalGroup, TiesAreBrokenByMasterCodeThenQuartet) {
  Seq s;
  // Same start time: tcs (0) sorts before ics (1); so the tcs VNA comes first
  // and the ics target sweep joins it.
  auto t = s.add(ICS, 200, 0, 0, T, GoalClass::none, 60);
  auto v = s.add(TCS, 131000, 0, 0, V, GoalClass::none, 0);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{v, t}));
  EXPECT_EQ(g[0].name(), "tcs-131000-g2-cal");
}

TEST(CalGroup, KindBitsCombineVnaWins) {
  Seq s;
  auto a = s.add(ICS, 1, 0, 0, V);
  auto b = s.add(ICS, 2, 0, 0, T | U);
  auto c = s.add(ICS, 3, 0, 0, V | T);  // has the VnaSweep bit: opens
  auto d = s.add(ICS, 4, 0, 0, U);
  auto g = cal_groups(s.ordered());
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(g[1].members, (std::vector<std::int64_t>{c, d}));
}

TEST(Drivefit, NinetySixSubObservations) {
  Seq s;
  s.add(ICS, 18344, 0, 0, V);
  std::vector<std::int64_t> targ;
  for (int i = 0; i < 96; ++i) {
    if (i % 2 == 0)
      targ.push_back(s.add(ICS, 18345, i, 0, T));
    else
      s.add(ICS, 18345, i, 0, S);
  }
  auto g = drivefit_groups(s.facts);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].name(), "ics-18345-g48-drivefit");
  EXPECT_EQ(g[0].uid(), "drivefit:ics-18345-0-0");
  EXPECT_EQ(g[0].members, targ);
  // The same obsnums also make one cal group with the VNA.
  auto c = cal_groups(s.ordered());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].name(), "ics-18344-g49-cal");
}

TEST(Drivefit, GroupedByMasterAndObsnumSinglesDropped) {
  Seq s;
  s.add(ICS, 500, 0, 0, T);
  s.add(TCS, 500, 0, 0, T);  // same obsnum, other master: another key
  s.add(ICS, 501, 0, 0, T);
  s.add(ICS, 501, 1, 0, T);
  s.add(ICS, 501, 2, 0, U);  // not a target sweep
  auto g = drivefit_groups(s.facts);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].name(), "ics-501-g2-drivefit");
}

TEST(Drivefit, MembersInQuartetOrderWhateverTheInputOrder) {
  Seq s;
  auto b = s.add(ICS, 600, 4, 0, T);
  auto a = s.add(ICS, 600, 2, 0, T);
  auto g = drivefit_groups(s.facts);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(g[0].uid(), "drivefit:ics-600-2-0");
}

TEST(FocusGroup, RunBrokenByGap) {
  Seq s;
  const auto F = GoalClass::focus;
  s.add(TCS, 131100, 0, 1, U | L, F);
  s.add(TCS, 131101, 0, 1, U | L, F);
  s.add(TCS, 131102, 0, 1, U | L, F);
  // 131103 missing: the run breaks.
  s.add(TCS, 131104, 0, 1, U | L, F);
  s.add(TCS, 131105, 0, 1, U | L, F);
  s.add(TCS, 131107, 0, 1, U | L, F);  // alone: dropped
  auto g = run_groups(s.facts, AssocType::focus_group);
  EXPECT_EQ(names(g), (std::vector<std::string>{"tcs-131100to131102-g3-focus", "tcs-131104to131105-g2-focus"}));
  EXPECT_EQ(g[0].uid(), "focus_group:tcs-131100-0-1");
}

TEST(FocusGroup, RepeatedObsnumsStayInTheRun) {
  Seq s;
  const auto F = GoalClass::focus;
  s.add(TCS, 131200, 0, 1, U | L, F);
  s.add(TCS, 131200, 0, 2, S | L, F);
  s.add(TCS, 131200, 0, 3, S | L, F);
  s.add(TCS, 131201, 0, 1, U | L, F);
  s.add(TCS, 131201, 0, 2, S | L, F);
  auto g = run_groups(s.facts, AssocType::focus_group);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].name(), "tcs-131200to131201-g5-focus");
  // One obsnum with several scans: first = last.
  Seq one;
  one.add(TCS, 131300, 0, 1, U | L, F);
  one.add(TCS, 131300, 0, 2, S | L, F);
  auto g1 = run_groups(one.facts, AssocType::focus_group);
  ASSERT_EQ(g1.size(), 1u);
  EXPECT_EQ(g1[0].name(), "tcs-131300-g2-focus");
}

TEST(FocusGroup, PerMasterAndOtherGoalsIgnored) {
  Seq s;
  const auto F = GoalClass::focus, A = GoalClass::astig;
  s.add(TCS, 131300, 0, 1, U, F);
  s.add(ICS, 131301, 0, 1, U, F);  // another master: does not continue the tcs run
  s.add(TCS, 131302, 0, 1, U, A);
  s.add(TCS, 131303, 0, 1, U, A);
  s.add(TCS, 131304, 0, 1, U, GoalClass::none);
  EXPECT_TRUE(run_groups(s.facts, AssocType::focus_group).empty());
  auto a = run_groups(s.facts, AssocType::astig_group);
  EXPECT_EQ(names(a), (std::vector<std::string>{"tcs-131302to131303-g2-astig"}));
  EXPECT_EQ(a[0].uid(), "astig_group:tcs-131302-0-1");
}

TEST(FocusGroup, OrderedByQuartetNotTime) {
  Seq s;
  const auto F = GoalClass::focus;
  auto late = s.add(TCS, 131401, 0, 1, U, F);
  auto early = s.add(TCS, 131400, 0, 1, U, F);  // later in time, smaller obsnum
  auto g = run_groups(s.facts, AssocType::focus_group);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].members, (std::vector<std::int64_t>{early, late}));
  EXPECT_EQ(g[0].name(), "tcs-131400to131401-g2-focus");
}

TEST(CalEdges, SameMasterPreferredElseOther) {
  Seq s;
  auto ics_tune = s.add(ICS, 18343, 0, 0, U);
  auto tcs_same = s.add(TCS, 18343, 0, 0, U);  // same triple under tcs
  auto ics_ts = s.add(ICS, 18344, 0, 0, S);
  auto tcs_tune = s.add(TCS, 131000, 0, 1, U | L);
  auto tcs_ts = s.add(TCS, 131000, 0, 2, S | L);
  auto clip = s.add(2, 9, 0, 0, S);
  std::vector<CalPointer> ptrs{
      {ics_ts, 18343, 0, 0, 0b11},       // ics -> ics 18343
      {tcs_tune, 18343, 0, 0, 0b1},      // tcs -> tcs 18343 (exists)
      {tcs_ts, 131000, 0, 1, 0b110},     // tcs -> tcs tune
      {clip, 18343, 0, 0, 0b1},          // clip: none under clip -> lowest code (tcs)
      {ics_ts, 99999, 0, 0, 0b1000},     // target does not exist: no edge
  };
  auto e = cal_edges(ptrs, s.facts);
  std::vector<CalEdge> want{{ics_ts, ics_tune, 0b11}, {tcs_tune, tcs_same, 0b1}, {tcs_ts, tcs_tune, 0b110},
                            {clip, tcs_same, 0b1}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(e, want);
  EXPECT_EQ(cal_edge_context(0b110), R"({"networks":[1,2]})");
  EXPECT_EQ(cal_edge_context(0), R"({"networks":[]})");
}

TEST(CalEdges, NetworksThatDisagreeGiveOneEdgePerTarget) {
  Seq s;
  auto a = s.add(ICS, 10, 0, 0, T);
  auto b = s.add(ICS, 11, 0, 0, T);
  auto x = s.add(ICS, 12, 0, 0, S);
  std::vector<CalPointer> ptrs{{x, 11, 0, 0, 0b1111'0000'0000}, {x, 10, 0, 0, 0b0000'0000'0011}};
  auto e = cal_edges(ptrs, s.facts);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (CalEdge{x, a, 0b11}));
  EXPECT_EQ(e[1], (CalEdge{x, b, 0b1111'0000'0000}));
  EXPECT_EQ(cal_edge_context(e[1].roach_mask), R"({"networks":[8,9,10,11]})");
}

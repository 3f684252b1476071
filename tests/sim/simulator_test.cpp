// The simulator's plan (no I/O): contents of a night, determinism, expectations, association rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/simulator.h"
#include "model/error.h"

using namespace tolteca;
using namespace tolteca::files;
using namespace tolteca::sim;

namespace {

const SimGroup* find_group(const SimPlan& p, const std::string& type, std::size_t index = 0) {
  std::size_t seen = 0;
  for (const auto& g : p.groups)
    if (g.type == type && seen++ == index) return &g;
  return nullptr;
}

std::size_t count_groups(const SimPlan& p, const std::string& type) {
  std::size_t n = 0;
  for (const auto& g : p.groups) n += g.type == type;
  return n;
}

const SimRawObs* find_obs(const SimPlan& p, const std::string& uid) {
  for (const auto& r : p.raw_obs)
    if (to_string(r.quartet) == uid) return &r;
  return nullptr;
}

SimRawObs obs(const std::string& uid, DataKindBits kind, UnixMicros t, std::optional<std::string> goal = {}) {
  SimRawObs r;
  r.quartet = *parse_quartet(uid);
  r.data_kind = kind;
  r.start_time = t;
  r.obs_goal = goal;
  return r;
}

}  // namespace

TEST(SimPlan, DeterministicFromSeed) {
  SimOptions o;
  o.bad_files = true;
  auto a = manifest_json(make_plan(o));
  auto b = manifest_json(make_plan(o));
  EXPECT_EQ(a.dump(), b.dump());
  o.seed = 2;
  auto c = manifest_json(make_plan(o));
  EXPECT_NE(a.dump(), c.dump());
}

TEST(SimPlan, EveryNameParsesBackToThePlannedName) {
  SimOptions o;
  o.bad_files = true;
  o.nights = 2;
  auto plan = make_plan(o);
  std::set<std::string> paths;
  for (const auto& f : plan.files) {
    SCOPED_TRACE(f.path);
    EXPECT_TRUE(paths.insert(f.path).second) << "duplicate path";
    auto r = parse_filename(f.path);
    if (f.bad == BadCase::not_toltec) {
      ASSERT_NE(as_rejection(r), nullptr);
      EXPECT_EQ(as_rejection(r)->reason, RejectReason::not_toltec_name);
      continue;
    }
    if (f.bad == BadCase::current_link) {
      ASSERT_NE(as_rejection(r), nullptr);
      EXPECT_EQ(as_rejection(r)->reason, RejectReason::current_file_link);
      continue;
    }
    ASSERT_NE(as_parsed(r), nullptr) << as_rejection(r)->detail;
    ASSERT_TRUE(f.name.has_value());
    EXPECT_EQ(*as_parsed(r), *f.name);
    EXPECT_EQ(as_parsed(r)->quartet(), f.quartet);
    EXPECT_EQ(as_parsed(r)->data_kind, f.kind);  // the suffix agrees with the header kind
  }
}

TEST(SimPlan, HeadersAgreeWithNamesExceptTheMismatchCase) {
  SimOptions o;
  o.bad_files = true;
  auto plan = make_plan(o);
  int mismatches = 0;
  for (const auto& f : plan.files) {
    if (!f.name) continue;
    if (f.type == SimFileType::network || f.type == SimFileType::hwpr) {
      bool agree = f.net.obsnum == f.name->obsnum && f.net.subobsnum == f.name->subobsnum &&
                   f.net.scannum == f.name->scannum && f.net.master == *f.name->master &&
                   (f.type == SimFileType::hwpr || f.net.roach == *f.name->roach);
      EXPECT_EQ(!agree, f.bad == BadCase::header_mismatch) << f.path;
      mismatches += !agree;
      // The first network's file carries the start second; the others are within a second.
      const std::int64_t lag = *f.name->file_time / 1000000 - static_cast<std::int64_t>(f.net.obs_start);
      EXPECT_TRUE(lag == 0 || lag == 1) << f.path;
      EXPECT_EQ(f.net.lo_freq > 0, f.bad != BadCase::lofreq_zero) << f.path;
    } else if (f.type == SimFileType::tel || f.type == SimFileType::tel2) {
      EXPECT_EQ(f.tel.obsnum, f.name->obsnum);
      EXPECT_EQ(f.tel.subobsnum, f.name->subobsnum);
      EXPECT_EQ(f.tel.scannum, f.name->scannum);
    }
  }
  EXPECT_EQ(mismatches, 1);
}

TEST(SimPlan, ANightHasEverythingTheSpecDescribes) {
  SimOptions o;
  auto plan = make_plan(o);
  // ics chain: VNA -> target sweep -> tune with cal pointers down the chain.
  auto* vna = find_obs(plan, "ics-18340-0-0");
  auto* targ = find_obs(plan, "ics-18341-0-0");
  auto* tune = find_obs(plan, "ics-18342-0-0");
  auto* ts = find_obs(plan, "ics-18343-0-0");
  ASSERT_TRUE(vna && targ && tune && ts);
  EXPECT_EQ(vna->data_kind, bits(DataKind::VnaSweep));
  EXPECT_EQ(targ->data_kind, bits(DataKind::TargetSweep));
  EXPECT_EQ(tune->data_kind, bits(DataKind::Tune));
  EXPECT_EQ(ts->data_kind, bits(DataKind::RawTimeStream));
  EXPECT_FALSE(vna->cal.has_value());
  EXPECT_EQ(targ->cal, "ics-18340-0-0");
  EXPECT_EQ(tune->cal, "ics-18341-0-0");
  EXPECT_EQ(ts->cal, "ics-18342-0-0");
  EXPECT_LT(vna->start_time, targ->start_time);
  EXPECT_LT(targ->start_time, tune->start_time);
  // Drive fit: 48 sub-observations alternating target sweep / timestream.
  for (int i = 0; i < 48; ++i) {
    auto* r = find_obs(plan, "ics-18344-" + std::to_string(i) + "-0");
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->data_kind, i % 2 ? bits(DataKind::RawTimeStream) : bits(DataKind::TargetSweep));
  }
  auto* df = find_group(plan, "drivefit");
  ASSERT_NE(df, nullptr);
  EXPECT_EQ(df->name, "ics-18344-g24-drivefit");
  EXPECT_EQ(count_groups(plan, "drivefit"), 1u);
  // VNA series of 20 sub-observations.
  for (int i = 0; i < 20; ++i) ASSERT_NE(find_obs(plan, "ics-18348-" + std::to_string(i) + "-0"), nullptr);
  // Cal groups: chain 1 (+ the drive-fit target sweeps), chain 2, the last VNA of the series (+ tcs tunes).
  ASSERT_EQ(count_groups(plan, "cal_group"), 3u);
  EXPECT_EQ(find_group(plan, "cal_group", 0)->name, "ics-18340-g27-cal");
  EXPECT_EQ(find_group(plan, "cal_group", 1)->name, "ics-18345-g3-cal");
  EXPECT_EQ(find_group(plan, "cal_group", 2)->members.front(), "ics-18348-19-0");
  // tcs: tune at scan 1, timestreams with a telescope file (and hwpr) at scans 2..
  auto* tt = find_obs(plan, "tcs-131280-0-1");
  auto* tsc = find_obs(plan, "tcs-131280-0-2");
  ASSERT_TRUE(tt && tsc);
  EXPECT_EQ(tt->data_kind, bits(DataKind::Tune));
  EXPECT_EQ(tt->cal, "ics-18347-0-0");  // no tcs-18347-0-0: the ics observation
  EXPECT_EQ(tsc->data_kind, bits(DataKind::RawTimeStream) | bits(DataKind::LmtTel));
  EXPECT_EQ(tsc->cal, "tcs-131280-0-1");
  EXPECT_EQ(tsc->obs_goal, "pointing");
  EXPECT_NE(std::find(tsc->interfaces.begin(), tsc->interfaces.end(), "hwpr"), tsc->interfaces.end());
  EXPECT_NE(std::find(tsc->interfaces.begin(), tsc->interfaces.end(), "tel_toltec"), tsc->interfaces.end());
  // Focus: one run of 5 obsnums, then two runs split only by an obsnum gap; astigmatism: one run of 3.
  // Each obsnum has a tune (scan 1) and a timestream (scan 2); the telescope metadata of the obsnum
  // (its goal) describes both, so a run of k obsnums has 2k members.
  ASSERT_EQ(count_groups(plan, "focus_group"), 3u);
  EXPECT_EQ(find_group(plan, "focus_group", 0)->name, "tcs-131281to131285-g10-focus");
  EXPECT_EQ(find_group(plan, "focus_group", 1)->name, "tcs-131294to131296-g6-focus");
  EXPECT_EQ(find_group(plan, "focus_group", 2)->name, "tcs-131298to131299-g4-focus");
  EXPECT_EQ(find_obs(plan, "tcs-131281-0-1")->obs_goal, "focus");  // the tune inherits its obsnum's goal
  EXPECT_EQ(find_obs(plan, "tcs-131297-0-2"), nullptr);  // the gap
  ASSERT_EQ(count_groups(plan, "astig_group"), 1u);
  EXPECT_EQ(find_group(plan, "astig_group")->name, "tcs-131287to131289-g6-astig");
  EXPECT_EQ(find_obs(plan, "tcs-131289-0-2")->obs_goal, "astig");
  EXPECT_EQ(find_obs(plan, "tcs-131287-0-2")->obs_goal, "astigmatism");
  // M2 Z is stepped through the focus sequence.
  std::vector<double> z;
  for (const auto& f : plan.files)
    if (f.type == SimFileType::tel && f.tel.obs_goal == "Focus" && f.name->obsnum <= 131285) z.push_back(f.tel.m2_z);
  EXPECT_EQ(z, (std::vector<double>{-2, -1, 0, 1, 2}));
  // Missing networks happen; networks 6 and 11 are disabled by default.
  int partial = 0;
  for (const auto& r : plan.raw_obs) {
    if (r.networks.size() < 11) ++partial;
    for (int n : r.networks) EXPECT_TRUE(n != 6 && n != 11);
  }
  EXPECT_GT(partial, 3);
  // Networks that disagree on a cal pointer give one edge per target.
  std::map<std::string, int> edges_per_src;
  for (const auto& e : plan.cal_edges) ++edges_per_src[e.src];
  EXPECT_EQ(edges_per_src["ics-18347-0-0"], 2);
  // A night stays small: a few thousand files at most.
  EXPECT_GT(plan.files.size(), 1000u);
  EXPECT_LT(plan.files.size(), 3000u);
}

TEST(SimPlan, BadFilesNeverChangeKindsOrGroups) {
  SimOptions o;
  auto good = make_plan(o);
  o.bad_files = true;
  auto bad = make_plan(o);
  std::map<std::string, int> cases;
  for (const auto& f : bad.files)
    if (f.bad) ++cases[std::string(to_string(*f.bad))];
  EXPECT_EQ(cases.size(), 6u);
  for (const auto& [c, n] : cases) EXPECT_EQ(n, 1) << c;
  ASSERT_EQ(good.raw_obs.size(), bad.raw_obs.size());
  for (std::size_t i = 0; i < good.raw_obs.size(); ++i) {
    EXPECT_EQ(good.raw_obs[i].quartet, bad.raw_obs[i].quartet);
    EXPECT_EQ(good.raw_obs[i].data_kind, bad.raw_obs[i].data_kind);
  }
  ASSERT_EQ(good.groups.size(), bad.groups.size());
  for (std::size_t i = 0; i < good.groups.size(); ++i) EXPECT_EQ(good.groups[i].members, bad.groups[i].members);
  // A bad file with a TolTEC name sits on a network its observation otherwise lacks.
  for (const auto& f : bad.files) {
    if (!f.bad || !f.quartet || f.type != SimFileType::network) continue;
    auto* r = find_obs(bad, to_string(*f.quartet));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(std::count(r->networks.begin(), r->networks.end(), *f.name->roach), 0) << f.path;
  }
  auto m = manifest_json(bad);
  EXPECT_EQ(m["counts"]["bad_files"], 6);
  EXPECT_EQ(m["bad_files"].size(), 6u);
}

TEST(SimPlan, ManifestCountsAreConsistent) {
  SimOptions o;
  o.nights = 2;
  o.bad_files = true;
  auto plan = make_plan(o);
  auto m = manifest_json(plan);
  std::int64_t files = m["counts"]["files"];
  EXPECT_EQ(std::int64_t(m["files"].size()), files);
  std::int64_t sum = 0;
  for (auto& [k, v] : m["counts"]["per_interface"].items()) sum += v.get<std::int64_t>();
  EXPECT_EQ(sum, files);
  std::int64_t n_files = 0;
  std::set<std::string> uids;
  for (const auto& r : m["raw_obs"]) {
    n_files += r["n_files"].get<std::int64_t>();
    uids.insert(r["uid"]);
  }
  EXPECT_EQ(n_files, files);
  EXPECT_EQ(std::int64_t(uids.size()), m["counts"]["raw_obs"].get<std::int64_t>());
  for (const auto& f : m["files"]) EXPECT_TRUE(uids.count(f["uid"])) << f["path"];
  for (const auto& g : m["groups"])
    for (const auto& mem : g["members"]) EXPECT_TRUE(uids.count(mem)) << g["name"];
  for (const auto& e : m["cal_edges"]) {
    EXPECT_TRUE(uids.count(e["src"]));
    EXPECT_TRUE(uids.count(e["dst"]));
  }
  // Sequence order.
  for (std::size_t i = 1; i < plan.raw_obs.size(); ++i)
    EXPECT_LE(plan.raw_obs[i - 1].start_time, plan.raw_obs[i].start_time);
  // The second night continues the obsnums, one day later.
  EXPECT_EQ(count_groups(plan, "drivefit"), 2u);
  EXPECT_EQ(find_group(plan, "drivefit", 1)->name, "ics-18356-g24-drivefit");
}

TEST(SimPlan, OptionsShapeThePlan) {
  SimOptions o;
  o.scale = 0.5;
  o.networks = {0, 3};
  o.format = "netcdf4";
  o.hwpr = false;
  o.ics_start_obsnum = 9000;
  o.tcs_start_obsnum = 100000;
  o.start_date = "2022-03-01";
  auto plan = make_plan(o);
  EXPECT_EQ(find_group(plan, "drivefit")->name, "ics-9004-g12-drivefit");
  for (const auto& f : plan.files) {
    EXPECT_NE(f.type, SimFileType::hwpr);
    if (f.type == SimFileType::network) {
      EXPECT_TRUE(f.net.roach == 0 || f.net.roach == 3);
      EXPECT_EQ(f.net.format, NcFormat::netcdf4);
    }
  }
  EXPECT_EQ(plan.raw_obs.front().quartet.obsnum, 9000);
  EXPECT_EQ(format_iso8601(plan.raw_obs.front().start_time).substr(0, 10), "2022-03-01");
  EXPECT_NE(find_obs(plan, "tcs-100000-0-1"), nullptr);
}

TEST(SimPlan, NamesOnlyHasNoHeaderFacts) {
  SimOptions o;
  o.names_only = true;
  o.bad_files = true;
  auto plan = make_plan(o);
  EXPECT_TRUE(plan.cal_edges.empty());
  EXPECT_EQ(count_groups(plan, "focus_group"), 0u);
  EXPECT_EQ(count_groups(plan, "astig_group"), 0u);
  EXPECT_EQ(count_groups(plan, "cal_group"), 3u);
  for (const auto& r : plan.raw_obs) {
    EXPECT_FALSE(r.obs_goal.has_value());
    EXPECT_FALSE(r.cal.has_value());
  }
  int bad = 0;
  for (const auto& f : plan.files) bad += f.bad.has_value();
  EXPECT_EQ(bad, 2);  // only not_toltec and current_link make sense without content
}

TEST(SimPlan, BadOptionsAreUserErrors) {
  auto fails = [](auto mutate) {
    SimOptions o;
    mutate(o);
    EXPECT_THROW(make_plan(o), UserError);
  };
  fails([](SimOptions& o) { o.nights = 0; });
  fails([](SimOptions& o) { o.start_date = "2024-13-01"; });
  fails([](SimOptions& o) { o.start_date = "yesterday"; });
  fails([](SimOptions& o) { o.format = "hdf5"; });
  fails([](SimOptions& o) { o.networks = {}; });
  fails([](SimOptions& o) { o.scale = 0; });
  fails([](SimOptions& o) { o.ics_start_obsnum = 0; });
}

TEST(SimPlan, ParseNetworks) {
  EXPECT_EQ(parse_networks("0-12").size(), 13u);
  EXPECT_EQ(parse_networks("0,1,2,7-10"), (std::vector<int>{0, 1, 2, 7, 8, 9, 10}));
  EXPECT_EQ(parse_networks("5,3,3"), (std::vector<int>{3, 5}));
  for (const char* bad : {"", "13", "0-13", "a", "1,,2", "5-3", "-1", "1-"})
    EXPECT_THROW(parse_networks(bad), UserError) << bad;
}

TEST(ExpectedGroups, CalGroupRule) {
  const DataKindBits V = 1, T = 2, U = 4, S = 8;
  std::vector<SimRawObs> r = {
      obs("ics-10-0-0", T, 1),  // before any VNA: joins nothing
      obs("ics-11-0-0", V, 2),  obs("ics-12-0-0", S, 3),  // a timestream neither joins nor breaks
      obs("ics-13-0-0", T, 4),  obs("tcs-500-0-1", U, 5),  // any master joins the open group
      obs("ics-14-0-0", V, 6),  // a lone VNA: group of 1, dropped
      obs("ics-15-0-0", V, 7),  obs("ics-15-1-0", U | S, 8),
  };
  auto g = expected_groups(r);
  std::vector<SimGroup> cal;
  for (auto& x : g)
    if (x.type == "cal_group") cal.push_back(x);
  ASSERT_EQ(cal.size(), 2u);
  EXPECT_EQ(cal[0].name, "ics-11-g3-cal");
  EXPECT_EQ(cal[0].members, (std::vector<std::string>{"ics-11-0-0", "ics-13-0-0", "tcs-500-0-1"}));
  EXPECT_EQ(cal[1].name, "ics-15-g2-cal");
}

TEST(ExpectedGroups, SequenceOrderBreaksTiesByMasterThenNumbers) {
  std::vector<SimRawObs> r = {obs("ics-20-0-0", 2, 100), obs("ics-19-0-0", 1, 100), obs("tcs-19-0-0", 1, 100)};
  auto g = expected_groups(r);
  ASSERT_EQ(g.size(), 1u);
  // tcs-19 (tcs sorts first) opens, ics-19 (a VNA) opens a new group, ics-20 joins it.
  EXPECT_EQ(g[0].name, "ics-19-g2-cal");
}

TEST(ExpectedGroups, DrivefitFocusAstigRules) {
  std::vector<SimRawObs> r = {
      obs("ics-30-0-0", 2, 1),  obs("ics-30-2-0", 2, 3),  obs("ics-31-0-0", 2, 4),
      obs("tcs-100-0-2", 24, 10, "focus"), obs("tcs-100-0-3", 24, 11, "focus"),  // same obsnum: one name
      obs("tcs-102-0-2", 24, 12, "focus"),                                       // gap: a new run
      obs("tcs-103-0-2", 24, 13, "focus"),  obs("tcs-104-0-2", 24, 14, "focus"),
      obs("tcs-200-0-2", 24, 20, "astig"),  obs("tcs-201-0-2", 24, 21, "astigmatism"),
      obs("ics-105-0-0", 8, 22, "focus"),  // another master: its own run (alone, dropped)
  };
  auto g = expected_groups(r);
  std::vector<std::string> names;
  for (auto& x : g) names.push_back(x.type + ":" + x.name);
  EXPECT_EQ(names, (std::vector<std::string>{"drivefit:ics-30-g2-drivefit", "focus_group:tcs-100-g2-focus",
                                             "focus_group:tcs-102to104-g3-focus", "astig_group:tcs-200to201-g2-astig"}));
}

TEST(SimPlan, ReducedProductsAreListedButNotRaw) {
  SimOptions o;
  auto base = make_plan(o);
  o.reduced = true;
  auto plan = make_plan(o);
  int reduced = 0;
  for (const auto& f : plan.files) {
    if (f.type != SimFileType::reduced) continue;
    ++reduced;
    SCOPED_TRACE(f.path);
    auto r = parse_filename(f.path);
    ASSERT_NE(as_parsed(r), nullptr);
    EXPECT_FALSE(as_parsed(r)->is_raw);
    EXPECT_EQ(*as_parsed(r), *f.name);
    EXPECT_EQ(as_parsed(r)->data_kind, f.kind);
  }
  // VNA: processed + d21, target sweep: processed, tune: processed + .txt; per network of the first chain.
  int chain_files = 0;
  for (const auto& r : plan.raw_obs)
    if (r.quartet.obsnum >= 18340 && r.quartet.obsnum <= 18342) chain_files += 2 * int(r.networks.size()) - (r.quartet.obsnum == 18341 ? int(r.networks.size()) : 0);
  EXPECT_EQ(reduced, chain_files);
  ASSERT_EQ(plan.reduced_obs.size(), 3u);
  EXPECT_EQ(plan.reduced_obs[0].uid, "reduced:ics-18340-0-0");
  // Raw observations and groups are those of the plan without reduced products.
  ASSERT_EQ(plan.raw_obs.size(), base.raw_obs.size());
  for (std::size_t i = 0; i < plan.raw_obs.size(); ++i) EXPECT_EQ(plan.raw_obs[i].n_files, base.raw_obs[i].n_files);
  auto m = manifest_json(plan);
  EXPECT_EQ(m["counts"]["reduced_files"], reduced);
  EXPECT_EQ(m["reduced_obs"].size(), 3u);
  int raw_false = 0;
  for (const auto& f : m["files"]) raw_false += !f["raw"].get<bool>();
  EXPECT_EQ(raw_false, reduced);
}

TEST(SimPlan, NetworksAndFormatChangeOnlyFiles) {
  // Same seed, other networks / format: the same observations at the same times, so a second run
  // into the same root adds files to existing raw observations.
  SimOptions a;
  a.networks = {0, 1, 2, 3, 4, 5};
  SimOptions b;
  b.networks = {7, 8, 9, 10, 12};
  b.format = "netcdf4";
  auto pa = make_plan(a), pb = make_plan(b);
  ASSERT_EQ(pa.raw_obs.size(), pb.raw_obs.size());
  for (std::size_t i = 0; i < pa.raw_obs.size(); ++i) {
    EXPECT_EQ(pa.raw_obs[i].quartet, pb.raw_obs[i].quartet);
    EXPECT_EQ(pa.raw_obs[i].start_time, pb.raw_obs[i].start_time);
    EXPECT_EQ(pa.raw_obs[i].data_kind, pb.raw_obs[i].data_kind);
    EXPECT_EQ(pa.raw_obs[i].obs_goal, pb.raw_obs[i].obs_goal);
  }
  std::set<std::string> paths;
  for (const auto& f : pa.files) paths.insert(f.path);
  int shared = 0;
  for (const auto& f : pb.files) shared += paths.count(f.path) > 0;
  int tel_hwpr = 0;
  for (const auto& f : pb.files) tel_hwpr += f.type != SimFileType::network;
  EXPECT_EQ(shared, tel_hwpr);  // telescope and hwpr files are the same files; network files are new
}

// --drop-network N@K: network N writes no file from observation K on, and only then; the manifest
// (raw observations' networks) follows the plan.
TEST(SimPlan, DroppedNetworkWritesNoMoreFiles) {
  SimOptions o;
  o.scale = 0.1;
  const SimPlan base = make_plan(o);
  parse_dropout("3@20", o);
  EXPECT_EQ(o.dropout_network, 3);
  EXPECT_EQ(o.dropout_from_obs, 20);
  const SimPlan p = make_plan(o);
  auto net3 = [](const SimPlan& plan) {
    std::int64_t n = 0;
    for (const auto& f : plan.files) n += f.type == SimFileType::network && f.net.roach == 3;
    return n;
  };
  EXPECT_GT(net3(p), 0);
  EXPECT_LT(net3(p), net3(base));
  // The raw observations after the 20th (sequence order) never list network 3.
  ASSERT_GT(p.raw_obs.size(), 40u);
  for (std::size_t i = 30; i < p.raw_obs.size(); ++i) {
    const auto& nets = p.raw_obs[i].networks;
    EXPECT_EQ(std::count(nets.begin(), nets.end(), 3), 0) << i;
  }
  EXPECT_THROW(parse_dropout("3", o), UserError);
  EXPECT_THROW(parse_dropout("13@2", o), UserError);
  EXPECT_THROW(parse_dropout("3@x", o), UserError);
}

#pragma once
// Internal to sim/: the two halves of make_plan() (simulator.h). plan_files() (planner.cpp) lays out
// every file of the nights, in writing order; compute_expectations() (expectations.cpp) derives what a
// registry must find in them: raw observations, cal edges, groups, reduced observations.
#include <cstdint>

#include "sim/simulator.h"

namespace tolteca::sim::detail {

// An (obsnum, subobsnum, scannum) a TargSweep pointer names.
struct Triple {
  std::int64_t obsnum = 0;
  int sub = 0, scan = 0;
};

// Every planned file (plan.files and plan.options; the expectations empty). Throws UserError for bad
// options.
SimPlan plan_files(const SimOptions& options);

// Fills plan.raw_obs, cal_edges, groups and reduced_obs from plan.files (good files only).
void compute_expectations(SimPlan& plan);

// Sequence order: start time, then master code, obsnum, subobsnum, scannum.
bool seq_less(const SimRawObs& a, const SimRawObs& b);

}  // namespace tolteca::sim::detail

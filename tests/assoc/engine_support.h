#pragma once
// Helpers for the engine tests: in-memory databases, synthetic arrivals.
#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "assoc/engine.h"
#include "assoc/rules.h"
#include "sim/synthetic.h"
#include "storage/duckdb/assoc_store.h"
#include "storage/duckdb/registry.h"
#include "storage/duckdb/session.h"
#include "support/test_db.h"

namespace tolteca::test {

inline std::unique_ptr<storage::duckdb::Session> memory_db() { return fresh_registry(); }

// The session's association store (what the engine reads and writes through).
inline std::unique_ptr<storage::AssocStore> assoc_store(storage::duckdb::Session& s) { return storage::duckdb::make_assoc_store(s); }

inline assoc::GenerateReport run_generate(storage::duckdb::Session& s, assoc::Mode mode,
                                          assoc::StateOptions state = {}) {
  assoc::GenerateOptions o;
  o.mode = mode;
  o.state = state;
  return assoc::generate(*assoc_store(s), o);
}

// Splits each observation into arrivals: sometimes a partial one first (some
// kind bits, some networks, no telescope metadata, a later start time), then
// the complete one. The complete one is what the final data holds.
inline std::vector<sim::SyntheticObs> arrivals(const std::vector<sim::SyntheticObs>& night, std::mt19937_64& rng,
                                              double partial_fraction) {
  std::vector<std::vector<sim::SyntheticObs>> per;
  std::uniform_real_distribution<double> u(0, 1);
  for (const auto& o : night) {
    std::vector<sim::SyntheticObs> seq;
    if (u(rng) < partial_fraction && o.networks.size() >= 2) {
      sim::SyntheticObs first = o;
      // Some kind bits (never empty), later start time, no goal, half the networks.
      std::vector<DataKindBits> b;
      for (DataKindBits k = 1; k <= 16; k <<= 1)
        if (o.kind & k) b.push_back(k);
      DataKindBits kind = 0;
      for (auto k : b)
        if (u(rng) < 0.5) kind |= k;
      if (!kind) kind = b[std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng)];
      if (u(rng) < 0.2) kind = bits(DataKind::RawTimeStream);  // header unreadable: a wrong guess, fixed later
      first.kind = kind;
      first.start_time = o.start_time + std::uniform_int_distribution<std::int64_t>(0, 400)(rng) * 1'000'000;
      if (u(rng) < 0.7) first.obs_goal.clear();
      const std::size_t half = o.networks.size() / 2;
      first.networks.assign(o.networks.begin(), o.networks.begin() + static_cast<std::ptrdiff_t>(half));
      sim::SyntheticObs second = o;
      second.networks.assign(o.networks.begin() + static_cast<std::ptrdiff_t>(half), o.networks.end());
      seq.push_back(first);
      seq.push_back(second);
    } else {
      seq.push_back(o);
    }
    per.push_back(std::move(seq));
  }
  // Random interleaving keeping each observation's arrivals in order.
  std::vector<std::size_t> slots;
  for (std::size_t i = 0; i < per.size(); ++i)
    for (std::size_t k = 0; k < per[i].size(); ++k) slots.push_back(i);
  std::shuffle(slots.begin(), slots.end(), rng);
  std::vector<std::size_t> next(per.size(), 0);
  std::vector<sim::SyntheticObs> out;
  for (std::size_t i : slots) out.push_back(per[i][next[i]++]);
  return out;
}

// Random batch sizes covering v.
inline std::vector<std::vector<sim::SyntheticObs>> split(const std::vector<sim::SyntheticObs>& v, std::mt19937_64& rng,
                                                        std::size_t max_batches) {
  std::vector<std::vector<sim::SyntheticObs>> out;
  const std::size_t nb = std::uniform_int_distribution<std::size_t>(1, max_batches)(rng);
  std::vector<std::size_t> cuts{0, v.size()};
  for (std::size_t i = 1; i < nb; ++i) cuts.push_back(std::uniform_int_distribution<std::size_t>(0, v.size())(rng));
  std::sort(cuts.begin(), cuts.end());
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
    if (cuts[i + 1] > cuts[i]) out.emplace_back(v.begin() + cuts[i], v.begin() + cuts[i + 1]);
  return out;
}

}  // namespace tolteca::test

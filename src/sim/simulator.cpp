// The simulator's entry points (see simulator.h): options, bad cases, make_plan, counts.
#include "sim/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "model/error.h"
#include "model/split.h"
#include "sim/planner.h"

namespace tolteca::sim {

std::string_view to_string(BadCase c) {
  switch (c) {
    case BadCase::truncated: return "truncated";
    case BadCase::header_mismatch: return "header_mismatch";
    case BadCase::zero_byte: return "zero_byte";
    case BadCase::not_toltec: return "not_toltec";
    case BadCase::current_link: return "current_link";
    case BadCase::lofreq_zero: return "lofreq_zero";
  }
  return "?";
}

std::string_view expected_outcome(BadCase c) {
  switch (c) {
    case BadCase::truncated:
    case BadCase::zero_byte: return "failed";
    case BadCase::not_toltec:
    case BadCase::current_link: return "skipped";
    case BadCase::header_mismatch:
    case BadCase::lofreq_zero: return "flagged";
  }
  return "?";
}

std::vector<int> parse_networks(const std::string& text) {
  std::vector<int> out;
  auto bad = [&](const std::string& why) {
    return UserError(fmt::format("--networks '{}': {} (expected e.g. 0-12 or 0,1,2,7-10)", text, why));
  };
  auto read = [&](std::string_view s) {
    int v = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > 12)
      throw bad(fmt::format("'{}' is not a network 0..12", s));
    return v;
  };
  if (text.empty()) throw bad("empty");
  for (std::string_view item : split(text)) {
    if (item.empty()) throw bad("empty item");
    auto dash = item.find('-');
    if (dash == std::string_view::npos) {
      out.push_back(read(item));
    } else {
      int a = read(item.substr(0, dash)), b = read(item.substr(dash + 1));
      if (a > b) throw bad(fmt::format("range {}-{} is empty", a, b));
      for (int i = a; i <= b; ++i) out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void parse_dropout(const std::string& text, SimOptions& options) {
  const auto at = text.find('@');
  int n = -1;
  std::int64_t k = -1;
  bool ok = at != std::string::npos;
  if (ok) {
    const char* b = text.data();
    auto r1 = std::from_chars(b, b + at, n);
    auto r2 = std::from_chars(b + at + 1, b + text.size(), k);
    ok = r1.ec == std::errc() && r1.ptr == b + at && r2.ec == std::errc() && r2.ptr == b + text.size() && n >= 0 &&
         n <= 12 && k >= 0;
  }
  if (!ok)
    throw UserError(fmt::format("--drop-network '{}': expected N@K (network 0..12 drops out from observation K on)", text));
  options.dropout_network = n;
  options.dropout_from_obs = k;
}

SimPlan make_plan(const SimOptions& options) {
  SimPlan plan = detail::plan_files(options);
  detail::compute_expectations(plan);
  return plan;
}

SimCounts count_plan(const SimPlan& plan) {
  SimCounts c;
  std::map<std::string, std::int64_t> kinds, ifaces, masters;
  for (const auto& f : plan.files) {
    if (f.bad) {
      ++c.bad_files;
      continue;
    }
    ++c.files;
    if (f.type == SimFileType::reduced) ++c.reduced_files;
    ++ifaces[f.name->interface];
    for (const auto& k : all_data_kinds())
      if (has(f.kind, k.kind)) ++kinds[std::string(k.name)];
  }
  for (const auto& r : plan.raw_obs) ++masters[std::string(to_string(r.quartet.master))];
  c.raw_obs = static_cast<std::int64_t>(plan.raw_obs.size());
  for (const auto& k : all_data_kinds())
    if (kinds.count(std::string(k.name))) c.per_kind.emplace_back(std::string(k.name), kinds[std::string(k.name)]);
  // Interfaces in a natural order: toltec0..12, then the others alphabetically.
  std::vector<std::pair<std::string, std::int64_t>> iv(ifaces.begin(), ifaces.end());
  auto rank = [](const std::string& s) {
    if (s.rfind("toltec", 0) == 0 && s.size() > 6 && std::isdigit(static_cast<unsigned char>(s[6])))
      return std::stoi(s.substr(6));
    return 100;
  };
  std::stable_sort(iv.begin(), iv.end(), [&](const auto& a, const auto& b) { return rank(a.first) < rank(b.first); });
  c.per_interface = std::move(iv);
  c.per_master.assign(masters.begin(), masters.end());
  return c;
}

}  // namespace tolteca::sim

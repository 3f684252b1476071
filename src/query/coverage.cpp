#include "query/coverage.h"

#include <algorithm>
#include <iterator>

namespace tolteca::query {

std::string night_of(UnixMicros start_time) { return format_iso8601(start_time).substr(0, 10); }

std::vector<int> missing_networks(const ObsRow& o, const NightNetworks& nights) {
  if (!o.start_time) return {};
  auto it = nights.find({o.master, night_of(*o.start_time)});
  if (it == nights.end()) return {};
  std::vector<int> have = o.networks;
  std::sort(have.begin(), have.end());
  std::vector<int> out;
  std::set_difference(it->second.begin(), it->second.end(), have.begin(), have.end(), std::back_inserter(out));
  return out;
}

}  // namespace tolteca::query

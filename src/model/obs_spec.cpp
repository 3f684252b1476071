#include "model/obs_spec.h"

#include <algorithm>

namespace tolteca::query {

bool NumberSel::matches(std::int64_t v) const {
  switch (kind) {
    case Kind::all: return true;
    case Kind::value: return v == values[0];
    case Kind::set: return std::binary_search(values.begin(), values.end(), v);
    case Kind::range: {
      if (start && v < *start) return false;
      if (stop && v >= *stop) return false;
      std::int64_t base = start.value_or(0);
      return v >= base && (v - base) % step == 0;
    }
  }
  return false;
}

bool ObsSpec::selects_all_observations() const {
  return !master && !latest && obsnum.is_all() && subobsnum.is_all() && scannum.is_all() && !interface;
}

bool ObsSpec::matches(const Quartet& q) const {
  if (master && *master != q.master) return false;
  return obsnum.matches(q.obsnum) && subobsnum.matches(q.subobsnum) && scannum.matches(q.scannum);
}

}  // namespace tolteca::query

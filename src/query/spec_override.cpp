#include "query/spec_override.h"

#include "model/error.h"
#include "query/spec.h"

namespace tolteca::query {

ObsSpec override_spec(ObsSpec spec, const SpecOverride& o) {
  if (o.master) spec.master = o.master;
  if (o.obsnum) {
    spec.obsnum = NumberSel::value(*o.obsnum);
    spec.latest = false;
  }
  if (spec.latest && (o.subobsnum || o.scannum))
    throw UserError("'latest' names a whole raw observation: give obsnum too to select a subobsnum or scannum");
  if (o.subobsnum) spec.subobsnum = NumberSel::value(*o.subobsnum);
  if (o.scannum) spec.scannum = NumberSel::value(*o.scannum);
  if (o.interface) {
    spec.interface = o.interface;
    spec.roach.reset();
    const auto& i = *o.interface;
    if (i.rfind("toltec", 0) == 0 && i.size() > 6 && i[6] >= '0' && i[6] <= '9')  // as parse_spec's
      spec.roach = std::stoi(i.substr(6));
  }
  spec.text = to_string(spec);
  return spec;
}

}  // namespace tolteca::query

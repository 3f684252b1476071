#pragma once
// The parts of tolteca_db._core behind the original Python API (python/tolteca_db/_obsquery.py) and
// Registry.provenance (python/tolteca_db/_provenance.py). module.cpp calls define_compat once, after
// the Registry class is defined.
//
//   _core.override_spec(spec, master=None, obsnum=None, subobsnum=None, scannum=None, interface=None)
//       -> str: the canonical text of `spec` with the given fields replaced (query/spec_override.h);
//       raises SpecError for a spec that does not parse, Error for a bad master or interface (the
//       messages of Registry.obs/files) or subobsnum/scannum on a 'latest' spec.
//   _core.name_parts(paths) -> (suffixes, extensions): per path, the file name's suffix as the
//       file-name parser reads it ("vnasweep", "targsweep", "tune", "timestream", … or None when the
//       name has none or is not a TolTEC name) and its extension with the dot (".nc"; "" when none).
//   _core.Registry.provenance(specs, limit=100) -> dict of column lists (python/frame.h):
//       "obs" (the columns of Registry.obs), "groups" (obs, uid, name, type), "cal_chain" (obs,
//       depth, from, uid, data_kind, kinds, networks), "reduced" (obs, uid), "cal_of" (obs, uid);
//       `obs` in the other tables is the observation's uid. As `tolteca_db query provenance`.
#include <pybind11/pybind11.h>

#include <vector>

#include "model/query_types.h"

namespace tolteca::python {

namespace py = pybind11;

// The dict of Registry.provenance (above); called with the GIL held.
py::dict provenance_columns(const std::vector<query::Provenance>& rows);

void define_compat(py::module_& m);

}  // namespace tolteca::python

#pragma once
// The query rows as columns for Python: tolteca_db._core hands each query's answer to
// python/tolteca_db/_frame.py as a list of columns, which makes the pandas.DataFrame. The column
// names are the keys of the CLI's --json output (docs/OUTPUT.md); the tags say how each becomes a
// typed pandas column:
//
//   (name, "int",     int64 ndarray,   None)           int64
//   (name, "Int64",   int64 ndarray,   bool ndarray)   pandas nullable Int64 (mask True = null)
//   (name, "float",   float64 ndarray, None)           float64, NaN = null
//   (name, "bool",    bool ndarray,    None)           bool
//   (name, "time",    int64 ndarray,   bool ndarray)   datetime64[ns, UTC] from Unix microseconds (NaT = null)
//   (name, "str",     list,            None)           object: str, or None = null
//   (name, "list",    list,            None)           object: a list of str per row (kinds, groups, …)
//   (name, "object",  list,            None)           object: one Python value per row, as it is (dicts)
//   (name, "records", list,            tuple of keys)  object: a list of dicts per row; the keys named in
//                                                      the tuple hold Unix microseconds or None, made
//                                                      tz-aware UTC pandas.Timestamps
//
// Called with the GIL held (they create Python objects).
#include <pybind11/pybind11.h>

#include <vector>

#include "model/query_types.h"

namespace tolteca::python {

namespace py = pybind11;

// A Python str from UTF-8 bytes; bytes that are not UTF-8 (a path's) become lone surrogates
// ("surrogateescape", as os.fsdecode), so no row is ever refused.
py::str text(const std::string& s);

py::list obs_columns(const std::vector<query::ObsRow>& rows);
py::list file_columns(const std::vector<query::FileRow>& rows);
// members: add the `members` column (records: uid, product_type, data_kind, kinds, start_time).
py::list group_columns(const std::vector<query::GroupRow>& rows, bool members);
// One row: the keys of `query stats --json`; the per-type/master/kind counts as dicts, per_night,
// networks and recent_failures as records.
py::list stats_columns(const query::Stats& stats);

}  // namespace tolteca::python

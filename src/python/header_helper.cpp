// The netCDF-4 header helper processes (files/header_process.h) of an ingest run from Python. The
// library starts a helper as /proc/self/exe with the helper marker, which for the Python package is
// the interpreter, not tolteca_db: so the package configures the helper command to be this
// interpreter loading this module and calling _serve_header_helper() (python/tolteca_db/_writers.py).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "files/env.h"
#include "files/header_helper.h"
#include "files/header_process.h"
#include "files/options.h"

namespace tolteca::python {

namespace py = pybind11;

void define_header_helper(py::module_& m) {
  m.def(
      "_configure_header_helper",
      [](std::vector<std::string> command, bool isolate) {
        auto o = files::header_read_options();
        o.helper_command = std::move(command);
        o.isolate_netcdf4 = isolate;
        files::configure_header_reading(o);
      },
      py::arg("command"), py::arg("isolate") = true,
      "How ingest starts its netCDF-4 header helper processes: command (program and first arguments), "
      "isolate=False reads every header in this process. Call it before the first ingest.");
  m.def(
      "_serve_header_helper", [] { files::serve_header_helper(files::Env::Default()); },
      "The header helper's entry point (descriptor 3 is its socket); never returns.");
}

}  // namespace tolteca::python

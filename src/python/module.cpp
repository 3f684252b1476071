// tolteca_db._core: the pybind11 extension module behind the Python package (python/tolteca_db/).
// It holds no logic of its own: Registry (python/registry.h) calls the library as the CLI does, and
// the answers become columns (python/frame.h) that python/tolteca_db/_frame.py makes DataFrames of.
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <exception>

#include "model/error.h"
#include "python/compat.h"
#include "python/registry.h"
#include "python/writers.h"
#include "query/spec.h"
#include "storage/errors.h"
#include "storage/open.h"
#include "tolteca/version.h"

namespace tolteca::python {

void define_header_helper(py::module_& m);  // python/header_helper.cpp
void define_served(py::module_& m);         // python/served.cpp

namespace {

// The exception classes; created once at import, never released (the module stays loaded).
PyObject* g_error = nullptr;
PyObject* g_spec_error = nullptr;

// The library's typed errors as Python exceptions, with the CLI's message (cli/errors.cpp words the
// missing database with the command that creates it; every other UserError is its what()).
void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const query::SpecError& e) {
    py::object exc = py::reinterpret_borrow<py::object>(g_spec_error)(e.what());
    exc.attr("spec") = e.spec();
    exc.attr("position") = e.position();
    exc.attr("reason") = e.reason();
    PyErr_SetObject(g_spec_error, exc.ptr());
  } catch (const storage::RegistryMissing& e) {
    const auto text = fmt::format("database {} does not exist; create it with 'tolteca_db db init --db {}'",
                                  e.shown_name, e.url_text);
    PyErr_SetString(g_error, text.c_str());
  } catch (const UserError& e) {
    PyErr_SetString(g_error, e.what());
  }
}

void define_errors(py::module_& m) {
  g_error = PyErr_NewExceptionWithDoc(
      "tolteca_db.Error",
      "An error the user can fix (a bad spec or argument, a missing database, ...), with the CLI's message.",
      PyExc_Exception, nullptr);
  if (!g_error) throw py::error_already_set();
  PyObject* bases = PyTuple_Pack(2, g_error, PyExc_ValueError);
  if (!bases) throw py::error_already_set();
  g_spec_error = PyErr_NewExceptionWithDoc(
      "tolteca_db.SpecError",
      "An observation spec that does not parse. Attributes: spec (the text), position (0-based index of the "
      "offending character in spec), reason.",
      bases, nullptr);
  Py_DECREF(bases);
  if (!g_spec_error) throw py::error_already_set();
  m.add_object("Error", py::reinterpret_borrow<py::object>(g_error));
  m.add_object("SpecError", py::reinterpret_borrow<py::object>(g_spec_error));
  py::register_exception_translator(&translate);
}

void define_registry(py::module_& m) {
  py::class_<Registry> cls(m, "Registry", "An open registry (see tolteca_db.Registry, which wraps it).");
  define_writers(cls);  // python/writers.h
  cls.def(py::init<const std::string&, bool>(), py::arg("url"), py::arg("read_only") = true)
      .def_property_readonly("url", &Registry::url)
      .def_property_readonly("read_only", &Registry::read_only)
      .def_property_readonly("closed", &Registry::closed)
      .def("close", &Registry::close)
      .def(
          "obs",
          [](Registry& r, std::vector<std::string> specs, std::optional<std::string> master,
             std::vector<std::string> kinds, std::optional<std::string> goal, std::optional<std::string> source,
             std::optional<std::string> project, std::optional<TimeArg> since, std::optional<TimeArg> until,
             std::optional<TimeArg> arrived_since, std::optional<std::int64_t> limit, std::string sort, bool newest) {
            return r.obs(ObsArgs{std::move(specs), std::move(master), std::move(kinds), std::move(goal),
                                 std::move(source), std::move(project), std::move(since), std::move(until),
                                 std::move(arrived_since), limit, std::move(sort), newest});
          },
          py::arg("specs"), py::kw_only(), py::arg("master") = py::none(), py::arg("kinds") = std::vector<std::string>{},
          py::arg("goal") = py::none(), py::arg("source") = py::none(), py::arg("project") = py::none(),
          py::arg("since") = py::none(), py::arg("until") = py::none(), py::arg("arrived_since") = py::none(),
          py::arg("limit") = py::none(), py::arg("sort") = "start", py::arg("newest") = false)
      .def(
          "files",
          [](Registry& r, std::vector<std::string> specs, std::optional<std::string> interface, bool missing,
             bool all_locations, bool newest) {
            return r.files(FileArgs{std::move(specs), std::move(interface), missing, all_locations, newest});
          },
          py::arg("specs"), py::kw_only(), py::arg("interface") = py::none(), py::arg("missing") = false,
          py::arg("all_locations") = false, py::arg("newest") = false)
      .def(
          "groups",
          [](Registry& r, std::vector<std::string> specs, std::vector<std::string> types, std::optional<TimeArg> since,
             std::optional<std::int64_t> limit, bool newest, bool members) {
            return r.groups(GroupArgs{std::move(specs), std::move(types), std::move(since), limit, newest, members});
          },
          py::arg("specs"), py::kw_only(), py::arg("types") = std::vector<std::string>{},
          py::arg("since") = py::none(), py::arg("limit") = py::none(), py::arg("newest") = false,
          py::arg("members") = false)
      .def("stats", &Registry::stats);
}

}  // namespace

}  // namespace tolteca::python

PYBIND11_MODULE(_core, m) {
  using namespace tolteca::python;
  m.doc() = "The C++ engine of tolteca_db (pybind11); use the tolteca_db package, not this module.";
  m.attr("__version__") = tolteca::kVersion;
  define_errors(m);
  define_registry(m);
  define_compat(m);
  define_header_helper(m);
  define_served(m);
  m.def(
      "default_url",
      [](std::optional<std::string> configured) { return tolteca::storage::default_registry_url(configured); },
      py::arg("configured") = py::none(),
      "The registry URL the CLI uses without --db: configured (e.g. $TOLTECA_DB_URL) when set and non-empty, "
      "else duckdb:///./tolteca.duckdb.");
}

// What the Python package needs to read a registry through a server (python/tolteca_db/_served.py):
// the columns of each answer (an empty answer's column list: names and tags, python/frame.h), so the
// JSON a server sends becomes the same DataFrame as a direct query; and the live server that holds a
// registry (server/server_file.h find_live_server, as the CLI looks for it before forwarding).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "python/frame.h"
#include "server/server_file.h"
#include "storage/open.h"

namespace tolteca::python {

namespace py = pybind11;

void define_served(py::module_& m) {
  m.def(
      "_schema",
      [](const std::string& what, bool members) -> py::list {
        if (what == "obs") return obs_columns({});
        if (what == "files") return file_columns({});
        if (what == "groups") return group_columns({}, members);
        if (what == "stats") {
          py::list one = stats_columns(query::Stats{});
          return one;
        }
        throw UserError("unknown answer '" + what + "': expected obs, files, groups or stats");
      },
      py::arg("what"), py::arg("members") = false,
      "The column list (name, tag, values, extra) of an empty answer; for stats the one row of an empty "
      "registry.");
  m.def(
      "_find_server",
      [](const std::string& url) -> std::optional<py::dict> {
        std::optional<server::ServerInfo> s;
        {
          py::gil_scoped_release nogil;
          const auto parsed = storage::parse_registry_url(url);
          if (!parsed.in_memory()) s = server::find_live_server(parsed.path);
        }
        if (!s) return std::nullopt;
        return py::dict(py::arg("protocol") = s->protocol, py::arg("pid") = s->pid, py::arg("socket") = s->socket,
                        py::arg("http") = s->http, py::arg("database") = s->database);
      },
      py::arg("url"),
      "The live server holding the registry the URL names (a dict: protocol, pid, socket, http, database), "
      "or None; a stale server file is removed, as the CLI does.");
}

}  // namespace tolteca::python

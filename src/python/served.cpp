// What the Python package needs to reach a registry through a server (python/tolteca_db/_served.py,
// _forwarded.py): the columns of each answer (an empty answer's column list: names and tags,
// python/frame.h), so the JSON a server sends becomes the same DataFrame as a direct query; the live
// server that holds a registry (server/server_file.h find_live_server, as the CLI looks for it before
// forwarding); and the forwarding of a command line to it (server/client.h, as the CLI forwards).
#include <fcntl.h>
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"
#include "python/compat.h"
#include "python/frame.h"
#include "files/unique_fd.h"
#include "server/client.h"
#include "server/server_file.h"
#include "storage/open.h"

namespace tolteca::python {

namespace py = pybind11;

namespace {

files::UniqueFd memory_file(const char* name) {
  files::UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (!fd) throw UserError(fmt::format("memfd_create: {}", std::strerror(errno)));
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  if (::lseek(fd, 0, SEEK_SET) < 0) return out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Runs the command line on the server holding the registry (server/client.h, as the CLI forwards
// it), its stdout and stderr into memory files; Ctrl-C meanwhile cancels it there (exit 130).
py::tuple forward(const std::string& url, const std::vector<std::string>& argv) {
  int code = 0;
  std::string out, err;
  {
    py::gil_scoped_release nogil;
    const auto s = server::find_live_server(storage::parse_registry_url(url).path);
    if (!s) throw UserError(fmt::format("no server holds {} any more", url));
    if (s->protocol != server::kProtocolVersion)
      throw UserError(fmt::format("the server of {} (pid {}) speaks protocol {}, this tolteca_db {}: run the same "
                                  "version as the server, or stop it",
                                  s->database, s->pid, s->protocol, server::kProtocolVersion));
    auto o = memory_file("tolteca-out"), e = memory_file("tolteca-err");
    files::UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const auto r = server::forward_command(*s, argv, {in.get(), o.get(), e.get()});
    if (!r.exit_code) throw UserError(fmt::format("the server of {} (pid {}): {}", s->database, s->pid, r.problem));
    code = *r.exit_code;
    out = read_all(o.get());
    err = read_all(e.get());
  }
  if (code == 130) {  // cancelled by this process's Ctrl-C
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  return py::make_tuple(code, py::bytes(out), py::bytes(err));
}

}  // namespace

void define_served(py::module_& m) {
  m.def("_forward", &forward, py::arg("url"), py::arg("argv"),
        "Runs a tolteca_db command line (argv[0] 'tolteca_db') on the server holding the registry: "
        "(exit code, stdout bytes, stderr bytes); KeyboardInterrupt when Ctrl-C cancelled it.");
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
      "_provenance_schema", [] { return provenance_columns({}); },
      "The dict of column lists of an empty provenance answer (obs, groups, cal_chain, reduced, cal_of).");
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

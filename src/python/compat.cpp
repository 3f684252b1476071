#include "python/compat.h"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "files/filename.h"
#include "model/data_kind.h"
#include "model/error.h"
#include "model/master.h"
#include "python/frame.h"
#include "python/registry.h"
#include "query/spec.h"
#include "query/spec_override.h"

namespace tolteca::python {

namespace {

std::string override_text(const std::string& text, const std::optional<std::string>& master,
                          std::optional<std::int64_t> obsnum, std::optional<std::int64_t> subobsnum,
                          std::optional<std::int64_t> scannum, const std::optional<std::string>& interface) {
  query::SpecOverride o;
  if (master) {
    o.master = parse_master(*master);
    if (!o.master) throw UserError(fmt::format("master '{}': expected tcs, ics or clip", *master));
  }
  if (interface) {
    o.interface = query::normalize_interface(*interface);
    if (!o.interface)
      throw UserError(fmt::format("interface '{}': expected 0-12, toltec0..toltec12, hwpr, toltec_hk, tel_toltec, "
                                  "tel_toltec2 or wyatt",
                                  *interface));
  }
  o.obsnum = obsnum;
  o.subobsnum = subobsnum;
  o.scannum = scannum;
  return query::override_spec(query::parse_spec(text), o).text;
}

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// (suffixes, extensions) of the paths' file names (compat.h).
py::tuple name_parts(const std::vector<std::string>& paths) {
  py::list suffixes(paths.size()), extensions(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto parsed = files::parse_filename(base_name(paths[i]));
    const auto* name = files::as_parsed(parsed);
    suffixes[i] = name && !name->suffix.empty() ? py::object(text(name->suffix)) : py::none();
    std::string ext;
    if (name) {
      ext = name->extension.empty() ? "" : "." + name->extension;
    } else {
      const auto base = base_name(paths[i]);
      const auto dot = base.rfind('.');
      if (dot != std::string_view::npos && dot > 0) ext = std::string(base.substr(dot));
    }
    extensions[i] = text(ext);
  }
  return py::make_tuple(suffixes, extensions);
}

// One column of (name, tag, values, None), values a Python list.
void column(py::list& out, const char* name, const char* tag, py::list values) {
  out.append(py::make_tuple(name, tag, std::move(values), py::none()));
}

}  // namespace

py::dict provenance_columns(const std::vector<query::Provenance>& rows) {
  std::vector<query::ObsRow> obs;
  py::list g_obs, g_uid, g_name, g_type;
  py::list c_obs, c_depth, c_from, c_uid, c_kind, c_kinds, c_nets;
  py::list r_obs, r_uid, f_obs, f_uid;
  for (const auto& p : rows) {
    obs.push_back(p.obs);
    const auto uid = text(p.obs.uid);
    for (const auto& g : p.groups) {
      g_obs.append(uid);
      g_uid.append(text(g.uid));
      g_name.append(text(g.name));
      g_type.append(text(g.type));
    }
    for (const auto& c : p.cal_chain) {
      c_obs.append(uid);
      c_depth.append(c.depth);
      c_from.append(text(c.from_uid));
      c_uid.append(text(c.uid));
      c_kind.append(c.data_kind);
      c_nets.append(text(c.networks));
      py::list kinds;
      for (const auto& k : data_kind_list(c.data_kind)) kinds.append(text(k));
      c_kinds.append(kinds);
    }
    for (const auto& r : p.reduced) {
      r_obs.append(uid);
      r_uid.append(text(r));
    }
    for (const auto& r : p.referenced_by) {
      f_obs.append(uid);
      f_uid.append(text(r));
    }
  }
  py::list groups, chain, reduced, cal_of;
  for (auto [name, values] : {std::pair{"obs", g_obs}, {"uid", g_uid}, {"name", g_name}, {"type", g_type}})
    column(groups, name, "str", values);
  column(chain, "obs", "str", c_obs);
  column(chain, "depth", "int", c_depth);
  column(chain, "from", "str", c_from);
  column(chain, "uid", "str", c_uid);
  column(chain, "data_kind", "int", c_kind);
  column(chain, "kinds", "list", c_kinds);
  column(chain, "networks", "str", c_nets);
  column(reduced, "obs", "str", r_obs);
  column(reduced, "uid", "str", r_uid);
  column(cal_of, "obs", "str", f_obs);
  column(cal_of, "uid", "str", f_uid);
  py::dict d;
  d["obs"] = obs_columns(obs);
  d["groups"] = groups;
  d["cal_chain"] = chain;
  d["reduced"] = reduced;
  d["cal_of"] = cal_of;
  return d;
}

void define_compat(py::module_& m) {
  m.def("override_spec", &override_text, py::arg("spec"), py::kw_only(), py::arg("master") = py::none(),
        py::arg("obsnum") = py::none(), py::arg("subobsnum") = py::none(), py::arg("scannum") = py::none(),
        py::arg("interface") = py::none(),
        "The canonical text of spec with the given fields replaced (the original API's overrides).");
  m.def("name_parts", &name_parts, py::arg("paths"),
        "(suffixes, extensions) of the paths' file names: suffix or None, extension with its dot or ''.");
  auto cls = py::reinterpret_borrow<py::class_<Registry>>(py::type::of<Registry>());
  cls.def(
      "provenance",
      [](Registry& r, std::vector<std::string> specs, std::int64_t limit) { return r.provenance(specs, limit); },
      py::arg("specs"), py::kw_only(), py::arg("limit") = 100);
}

}  // namespace tolteca::python

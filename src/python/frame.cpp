#include "python/frame.h"

#include <pybind11/numpy.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "model/data_kind.h"

namespace tolteca::python {

namespace {

// Builds the column list of one answer: each add_* takes the rows and a getter for one value.
template <typename Row>
class Columns {
 public:
  explicit Columns(const std::vector<Row>& rows) : rows_(rows) {}
  py::list take() { return std::move(out_); }

  template <typename Get>
  void integer(const char* name, Get get) {
    py::array_t<std::int64_t> v(static_cast<py::ssize_t>(rows_.size()));
    auto* p = v.mutable_data();
    for (std::size_t i = 0; i < rows_.size(); ++i) p[i] = static_cast<std::int64_t>(get(rows_[i]));
    out_.append(py::make_tuple(name, "int", v, py::none()));
  }
  // get returns an optional integer; `tag` is "Int64" or "time" (Unix microseconds).
  template <typename Get>
  void optional_integer(const char* name, const char* tag, Get get) {
    py::array_t<std::int64_t> v(static_cast<py::ssize_t>(rows_.size()));
    py::array_t<bool> mask(static_cast<py::ssize_t>(rows_.size()));
    auto* p = v.mutable_data();
    auto* m = mask.mutable_data();
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const auto x = get(rows_[i]);
      p[i] = x ? static_cast<std::int64_t>(*x) : 0;
      m[i] = !x.has_value();
    }
    out_.append(py::make_tuple(name, tag, v, mask));
  }
  template <typename Get>
  void optional_float(const char* name, Get get) {
    py::array_t<double> v(static_cast<py::ssize_t>(rows_.size()));
    auto* p = v.mutable_data();
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      const std::optional<double> x = get(rows_[i]);
      p[i] = x ? *x : std::nan("");
    }
    out_.append(py::make_tuple(name, "float", v, py::none()));
  }
  template <typename Get>
  void boolean(const char* name, Get get) {
    py::array_t<bool> v(static_cast<py::ssize_t>(rows_.size()));
    auto* p = v.mutable_data();
    for (std::size_t i = 0; i < rows_.size(); ++i) p[i] = get(rows_[i]);
    out_.append(py::make_tuple(name, "bool", v, py::none()));
  }
  // get returns a std::string or an optional one (None when empty).
  template <typename Get>
  void str(const char* name, Get get) {
    py::list v(rows_.size());
    for (std::size_t i = 0; i < rows_.size(); ++i) v[i] = to_py(get(rows_[i]));
    out_.append(py::make_tuple(name, "str", v, py::none()));
  }
  // get returns a std::vector<std::string>.
  template <typename Get>
  void list(const char* name, Get get) {
    py::list v(rows_.size());
    for (std::size_t i = 0; i < rows_.size(); ++i) v[i] = strings(get(rows_[i]));
    out_.append(py::make_tuple(name, "list", v, py::none()));
  }
  // get returns a py::list of dicts; time_keys name the keys holding Unix microseconds (or None).
  template <typename Get>
  void records(const char* name, py::tuple time_keys, Get get) {
    py::list v(rows_.size());
    for (std::size_t i = 0; i < rows_.size(); ++i) v[i] = get(rows_[i]);
    out_.append(py::make_tuple(name, "records", v, time_keys));
  }

  static py::list strings(const std::vector<std::string>& items) {
    py::list l(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) l[i] = text(items[i]);
    return l;
  }

 private:
  static py::object to_py(const std::string& s) { return text(s); }
  static py::object to_py(const std::optional<std::string>& s) { return s ? py::object(text(*s)) : py::none(); }

  const std::vector<Row>& rows_;
  py::list out_;
};

py::object micros_or_none(const std::optional<UnixMicros>& t) {
  return t ? py::object(py::int_(*t)) : py::none();
}

// The `data_kind` and `kinds` columns (the bit union and its names in bit order).
template <typename Row, typename Get>
void kind_columns(Columns<Row>& c, Get bits) {
  c.integer("data_kind", bits);
  c.list("kinds", [&](const Row& r) { return data_kind_list(bits(r)); });
}

}  // namespace

py::str text(const std::string& s) {
  PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::list obs_columns(const std::vector<query::ObsRow>& rows) {
  using R = query::ObsRow;
  Columns<R> c(rows);
  c.str("uid", [](const R& r) { return r.uid; });
  c.str("master", [](const R& r) { return r.master; });
  c.integer("obsnum", [](const R& r) { return r.obsnum; });
  c.integer("subobsnum", [](const R& r) { return r.subobsnum; });
  c.integer("scannum", [](const R& r) { return r.scannum; });
  c.optional_integer("start_time", "time", [](const R& r) { return r.start_time; });
  kind_columns(c, [](const R& r) { return r.data_kind; });
  // `complete` is false only for what a server watching the data (serve --watch) still waits for; such
  // a server holds the database, so a registry this module could open has none: always true here. The
  // server route (asking the server, issue 18) is what will make it vary.
  c.boolean("complete", [](const R&) { return true; });
  c.str("networks", [](const R& r) { return query::compress_numbers(r.networks); });
  c.list("interfaces", [](const R& r) { return r.interfaces; });
  c.integer("n_files", [](const R& r) { return r.n_files; });
  c.integer("n_missing", [](const R& r) { return r.n_missing; });
  c.str("obs_goal", [](const R& r) { return r.obs_goal; });
  c.str("source_name", [](const R& r) { return r.source_name; });
  c.str("project_id", [](const R& r) { return r.project_id; });
  c.str("obs_pgm", [](const R& r) { return r.obs_pgm; });
  c.optional_float("tau", [](const R& r) { return r.tau; });
  c.list("groups", [](const R& r) { return r.groups; });
  c.list("cal", [](const R& r) { return r.cal; });
  return c.take();
}

py::list file_columns(const std::vector<query::FileRow>& rows) {
  using R = query::FileRow;
  Columns<R> c(rows);
  c.str("obs_uid", [](const R& r) { return r.obs_uid; });
  c.str("interface", [](const R& r) { return r.interface; });
  c.optional_integer("roach", "Int64", [](const R& r) { return r.roach; });
  kind_columns(c, [](const R& r) { return r.data_kind; });
  c.boolean("is_raw", [](const R& r) { return r.is_raw; });
  c.str("availability", [](const R& r) { return r.availability; });
  c.str("location", [](const R& r) { return r.location; });
  c.str("path", [](const R& r) { return r.path; });
  c.str("rel_path", [](const R& r) { return r.rel_path; });
  c.optional_integer("size", "Int64", [](const R& r) { return r.size; });
  c.optional_integer("file_time", "time", [](const R& r) { return r.file_time; });
  c.str("problem", [](const R& r) { return r.problem; });
  return c.take();
}

py::list group_columns(const std::vector<query::GroupRow>& rows, bool members) {
  using R = query::GroupRow;
  Columns<R> c(rows);
  c.str("uid", [](const R& r) { return r.uid; });
  c.str("name", [](const R& r) { return r.name; });
  c.str("type", [](const R& r) { return r.type; });
  c.integer("n_items", [](const R& r) { return r.n_items; });
  c.str("master", [](const R& r) { return r.master; });
  c.optional_integer("first_obsnum", "Int64", [](const R& r) { return r.first_obsnum; });
  c.optional_integer("last_obsnum", "Int64", [](const R& r) { return r.last_obsnum; });
  c.optional_integer("latest_member_time", "time", [](const R& r) { return r.latest_member_time; });
  if (members)
    c.records("members", py::make_tuple("start_time"), [](const R& r) {
      py::list l;
      for (const auto& m : r.members)
        l.append(py::dict(py::arg("uid") = text(m.uid), py::arg("product_type") = text(m.product_type),
                          py::arg("data_kind") = m.data_kind,
                          py::arg("kinds") = Columns<R>::strings(data_kind_list(m.data_kind)),
                          py::arg("start_time") = micros_or_none(m.start_time)));
      return l;
    });
  return c.take();
}

py::list stats_columns(const query::Stats& stats) {
  using R = query::Stats;
  const std::vector<R> one{stats};
  Columns<R> c(one);
  c.integer("observations", [](const R& s) { return s.observations; });
  c.integer("files", [](const R& s) { return s.files; });
  c.integer("missing_files", [](const R& s) { return s.missing_files; });
  c.integer("reduced", [](const R& s) { return s.reduced; });
  c.integer("groups", [](const R& s) { return s.groups; });
  c.integer("edges", [](const R& s) { return s.edges; });
  c.integer("failed_ingests", [](const R& s) { return s.failed_ingests; });
  c.optional_integer("db_size", "Int64", [](const R& s) { return s.db_size; });
  c.optional_integer("first_start", "time", [](const R& s) { return s.first_start; });
  c.optional_integer("last_start", "time", [](const R& s) { return s.last_start; });
  // Dict-valued cells go through "records" with no time keys: one dict per row, kept as it is.
  auto counts = [](const std::vector<query::CountRow>& rows) {
    py::dict d;
    for (const auto& r : rows) d[text(r.key)] = r.count;
    return d;
  };
  py::list out = c.take();
  auto cell = [&](const char* name, const char* tag, py::object value, py::object extra) {
    py::list v(1);
    v[0] = std::move(value);
    out.append(py::make_tuple(name, tag, v, extra));
  };
  cell("groups_per_type", "object", counts(stats.groups_per_type), py::none());
  cell("edges_per_type", "object", counts(stats.edges_per_type), py::none());
  cell("per_master", "object", counts(stats.per_master), py::none());
  cell("per_kind", "object", counts(stats.per_kind), py::none());
  py::list nights, nets, fails;
  for (const auto& n : stats.per_night)
    nights.append(py::dict(py::arg("night") = text(n.night), py::arg("observations") = n.observations));
  for (const auto& n : stats.networks)
    nets.append(py::dict(py::arg("interface") = text(n.interface), py::arg("files") = n.files,
                         py::arg("missing") = n.missing));
  for (const auto& f : stats.recent_failures)
    fails.append(py::dict(py::arg("time") = micros_or_none(f.time), py::arg("subject") = text(f.subject),
                          py::arg("message") = text(f.message)));
  cell("per_night", "records", nights, py::tuple());
  cell("networks", "records", nets, py::tuple());
  cell("recent_failures", "records", fails, py::make_tuple("time"));
  return out;
}

}  // namespace tolteca::python

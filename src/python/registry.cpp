#include "python/registry.h"

#include <fmt/format.h>

#include <utility>

#include "model/data_kind.h"
#include "model/error.h"
#include "model/master.h"
#include "model/time_arg.h"
#include "python/compat.h"
#include "python/frame.h"
#include "query/spec.h"
#include "storage/open.h"

namespace tolteca::python {

namespace {

std::optional<UnixMicros> time_arg(const std::optional<TimeArg>& t, const char* name) {
  if (!t) return std::nullopt;
  if (const auto* micros = std::get_if<std::int64_t>(&*t)) return *micros;
  const auto& s = std::get<std::string>(*t);
  if (s.empty()) return std::nullopt;
  return parse_time_option_or_throw(s, name);
}

// 0 or none: no limit; a negative one reaches the library, which refuses it (storage::NegativeLimit).
std::optional<std::int64_t> limit_arg(const std::optional<std::int64_t>& limit) {
  if (limit && *limit == 0) return std::nullopt;
  return limit;
}

// The checks and messages of `query obs`'s options (cli/cmd_query_obs.cpp), named as arguments.
query::ObsFilter obs_filter(const ObsArgs& a) {
  query::ObsFilter f;
  f.specs = query::parse_specs(a.specs);
  if (a.master) {
    f.master = parse_master(*a.master);
    if (!f.master) throw UserError(fmt::format("master '{}': expected tcs, ics or clip", *a.master));
  }
  for (const auto& k : a.kinds) {
    auto b = parse_data_kind(k);
    if (!b)
      throw UserError(fmt::format("kind '{}': expected VnaSweep, TargetSweep, Tune, RawTimeStream, LmtTel or RawSweep",
                                  k));
    f.kinds |= *b;
  }
  f.goal = a.goal;
  f.source = a.source;
  f.project = a.project;
  f.since = time_arg(a.since, "since");
  f.until = time_arg(a.until, "until");
  f.arrived_since = time_arg(a.arrived_since, "arrived_since");
  f.limit = limit_arg(a.limit);
  if (a.sort != "start" && a.sort != "obsnum")
    throw UserError(fmt::format("sort '{}': expected start or obsnum", a.sort));
  f.sort = a.sort == "obsnum" ? query::ObsSort::obsnum : query::ObsSort::start;
  f.newest = a.newest;
  return f;
}

// The checks and messages of `query files` (cli/cmd_query_files.cpp).
query::FileFilter file_filter(const FileArgs& a) {
  if (a.specs.empty() && !a.missing)
    throw UserError("files() needs at least one observation spec ('[]' for all), or missing=True");
  query::FileFilter f;
  f.specs = query::parse_specs(a.specs);
  if (a.interface) {
    f.interface = query::normalize_interface(*a.interface);
    if (!f.interface)
      throw UserError(fmt::format("interface '{}': expected 0-12, toltec0..toltec12, hwpr, toltec_hk, tel_toltec, "
                                  "tel_toltec2 or wyatt",
                                  *a.interface));
  }
  f.missing_only = a.missing;
  f.all_locations = a.all_locations;
  f.newest = a.newest;
  return f;
}

query::GroupFilter group_filter(const GroupArgs& a) {
  query::GroupFilter f;
  f.types = a.types;
  f.specs = query::parse_specs(a.specs);
  f.since = time_arg(a.since, "since");
  f.limit = limit_arg(a.limit);
  f.newest = a.newest;
  f.members = a.members;
  return f;
}

}  // namespace

Registry::Registry(const std::string& url, bool read_only) : url_(url), read_only_(read_only) {
  storage::OpenOptions options;
  options.mode = read_only ? storage::OpenMode::ReadOnly : storage::OpenMode::ReadWrite;
  py::gil_scoped_release nogil;
  reg_ = storage::open_registry(url, options);
}

template <typename F>
auto Registry::locked(F&& f) {
  py::gil_scoped_release nogil;
  std::lock_guard lock(mu_);
  if (!reg_) throw UserError(fmt::format("registry {} is closed", url_));
  return f(*reg_);
}

bool Registry::closed() {
  py::gil_scoped_release nogil;
  std::lock_guard lock(mu_);
  return !reg_;
}

void Registry::close() {
  py::gil_scoped_release nogil;
  std::lock_guard lock(mu_);
  reg_.reset();
}

void Registry::run(bool writable, const std::function<void(storage::Registry&)>& f) {
  if (writable && read_only_)
    throw UserError(fmt::format("registry {} is open read-only; open it with Registry(url, read_only=False) to write",
                                url_));
  locked([&](storage::Registry& r) {
    f(r);
    return 0;
  });
}

// The filters are built (and the specs parsed) without the GIL too: they are plain C++.
py::list Registry::obs(const ObsArgs& args) {
  auto rows = locked([&](storage::Registry& r) { return r.query().obs_all(obs_filter(args), false); });
  return obs_columns(rows);
}

py::list Registry::files(const FileArgs& args) {
  auto rows = locked([&](storage::Registry& r) { return r.query().files_all(file_filter(args)); });
  return file_columns(rows);
}

py::list Registry::groups(const GroupArgs& args) {
  auto rows = locked([&](storage::Registry& r) { return r.query().groups(group_filter(args)); });
  return group_columns(rows, args.members);
}

py::dict Registry::provenance(const std::vector<std::string>& specs, std::int64_t limit) {
  auto rows = locked([&](storage::Registry& r) { return r.query().provenance(query::parse_specs(specs), limit); });
  return provenance_columns(rows);
}

py::list Registry::stats() {
  auto st = locked([](storage::Registry& r) { return r.query().stats(); });
  return stats_columns(st);
}

}  // namespace tolteca::python

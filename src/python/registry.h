#pragma once
// tolteca_db._core.Registry: an open registry and the queries the CLI's `query obs|files|groups|stats`
// run, with the same library calls (storage::open_registry, QueryStore, query::parse_specs). The
// arguments arrive already in the library's vocabulary's shape from python/tolteca_db/_registry.py
// (lists of strings, a time as text or Unix microseconds); this file turns them into the filters,
// with the CLI's checks and messages (naming the Python argument instead of the flag).
//
// Threads: every call releases the GIL while the library works (opening, querying); calls on one
// Registry from several Python threads take turns (a storage::Registry is used from one thread at a
// time), calls on different Registry objects run in parallel.
//
// Errors: the library's UserError (a bad spec, a missing database, an unknown group type, …)
// propagate as they are; module.cpp maps them to tolteca_db.Error / tolteca_db.SpecError.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/registry.h"

namespace tolteca::python {

namespace py = pybind11;

// A time argument: text in the CLI's forms (model/time_arg.h: "2024-11-13", "-1d", "yesterday", …)
// or Unix microseconds (Python's datetime, converted by the Python layer).
using TimeArg = std::variant<std::int64_t, std::string>;

struct ObsArgs {
  std::vector<std::string> specs;
  std::optional<std::string> master;
  std::vector<std::string> kinds;
  std::optional<std::string> goal, source, project;
  std::optional<TimeArg> since, until, arrived_since;
  std::optional<std::int64_t> limit;  // 0 or none: all
  std::string sort = "start";         // start | obsnum
  bool newest = false;
};

struct FileArgs {
  std::vector<std::string> specs;
  std::optional<std::string> interface;
  bool missing = false;
  bool all_locations = false;
  bool newest = false;
};

struct GroupArgs {
  std::vector<std::string> specs;
  std::vector<std::string> types;
  std::optional<TimeArg> since;
  std::optional<std::int64_t> limit;  // 0 or none: all
  bool newest = false;
  bool members = false;
};

class Registry {
 public:
  // url as the CLI's --db takes it; read_only: never writes, takes no single-writer lock.
  Registry(const std::string& url, bool read_only);

  const std::string& url() const { return url_; }
  bool read_only() const { return read_only_; }
  bool closed();
  void close();

  // Each returns the column list of python/tolteca_db/_frame.py (python/frame.h).
  py::list obs(const ObsArgs& args);
  py::list files(const FileArgs& args);
  py::list groups(const GroupArgs& args);
  // `query provenance SPECS --limit N`: the dict of python/compat.h.
  py::dict provenance(const std::vector<std::string>& specs, std::int64_t limit);
  py::list stats();

  // Runs f(registry) as the queries do (without the GIL, one call at a time; UserError once closed);
  // with writable, first refuses (UserError) a registry opened read-only. For the writers
  // (python/writers.h).
  void run(bool writable, const std::function<void(storage::Registry&)>& f);

 private:
  // Runs f(registry) without the GIL, one call at a time; throws UserError once closed.
  template <typename F>
  auto locked(F&& f);

  std::string url_;
  bool read_only_;
  std::mutex mu_;
  std::unique_ptr<storage::Registry> reg_;
};

}  // namespace tolteca::python

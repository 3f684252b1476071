#include "python/writers.h"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "assoc/engine.h"
#include "assoc/named.h"
#include "assoc/report_json.h"
#include "ingest/ingest.h"
#include "model/error.h"
#include "model/master.h"
#include "python/interrupt.h"
#include "query/spec.h"
#include "wording/assoc_errors.h"
#include "wording/errors.h"

namespace tolteca::python {

namespace {

// The options `ingest directory` and `ingest file` share, as keyword arguments (the CLI's names).
struct IngestArgs {
  std::string location, data_root;
  std::optional<std::string> master;
  std::optional<int> nw_id;
  bool headers = true;
  bool dry_run = false;
  bool with_associations = false;
};

struct DirectoryArgs : IngestArgs {
  std::string pattern;
  bool recursive = true, skip_existing = false, prune = false, force = false;
  int jobs = 0;
  double prune_max_percent = 50;
  std::size_t batch_size = 100000;
};

// The library's typed errors as the CLI words them (a spec error keeps its type and position).
template <typename F>
auto phrased(F&& f) {
  try {
    return f();
  } catch (const query::SpecError&) {
    throw;
  } catch (const UserError& e) {
    throw UserError(wording::phrase_error(e));
  }
}

ingest::IngestOptions ingest_options(const IngestArgs& a) {
  if (a.with_associations && a.dry_run) throw UserError("--with-associations and --dry-run do not go together");
  ingest::IngestOptions io;
  io.location = a.location;
  io.data_root = a.data_root;
  io.read_headers = a.headers;
  io.dry_run = a.dry_run;
  if (a.master) {
    io.fallback_master = parse_master(*a.master);
    if (!io.fallback_master) throw UserError(fmt::format("--master '{}': expected tcs, ics or clip", *a.master));
  }
  if (a.nw_id && (*a.nw_id < 0 || *a.nw_id > 12)) throw UserError(fmt::format("--nw-id {}: expected 0-12", *a.nw_id));
  io.fallback_network = a.nw_id;
  io.progress = [](const ingest::Progress&) { check_interrupt(); };
  return io;
}

// The summary as `ingest … --json` prints it, with the associations run afterwards when asked.
std::string summary_json(storage::Registry& r, const ingest::IngestSummary& sum, bool with_assoc) {
  auto j = ingest::to_json(sum);
  j.erase("files");
  if (with_assoc)
    wording::phrase_assoc_errors(
        [&] { j["associations"] = assoc::generate_summary_json(assoc::generate(r.assoc(), assoc::GenerateOptions{})); });
  if (!sum.prune_refused.empty()) throw UserError(sum.prune_refused);
  return j.dump();
}

std::string ingest_directory(Registry& reg, const std::string& root, const DirectoryArgs& a) {
  std::string out;
  reg.run(!a.dry_run, [&](storage::Registry& r) {
    phrased([&] {
      auto io = ingest_options(a);
      if (a.batch_size == 0) throw UserError("--batch-size must be at least 1");
      if (a.prune_max_percent < 0 || a.prune_max_percent > 100)
        throw UserError(fmt::format("--prune-max-percent {}: expected 0-100", a.prune_max_percent));
      ingest::checked_jobs(a.jobs);
      io.jobs = a.jobs;
      io.pattern = a.pattern;
      io.recursive = a.recursive;
      io.skip_existing = a.skip_existing;
      io.prune = a.prune;
      io.prune_max_percent = a.prune_max_percent;
      io.force = a.force;
      io.batch_size = a.batch_size;
      ingest::check_directory(root);
      out = summary_json(r, ingest::ingest_directory(r, root, io), a.with_associations);
    });
  });
  return out;
}

std::string ingest_files(Registry& reg, const std::vector<std::string>& paths, const IngestArgs& a) {
  std::string out;
  reg.run(!a.dry_run, [&](storage::Registry& r) {
    phrased([&] {
      if (paths.empty()) throw UserError("ingest_files() needs at least one path");
      auto io = ingest_options(a);
      io.jobs = 1;
      out = summary_json(r, ingest::ingest_files(r, paths, io), a.with_associations);
    });
  });
  return out;
}

// `assoc generate`'s --state / --state-dir (cli/cmd_assoc.cpp StateCli).
assoc::StateOptions state_options(const std::optional<std::string>& state, const std::string& dir) {
  assoc::StateOptions s;
  if (state && *state != "database" && *state != "filesystem")
    throw UserError(fmt::format("--state '{}': expected database or filesystem", *state));
  if ((state && *state == "filesystem") || (!state && !dir.empty())) {
    s.backend = assoc::StateBackend::filesystem;
    s.dir = dir.empty() ? std::string("./.tolteca_db_state") : dir;
  } else if (!dir.empty()) {
    throw UserError("--state-dir is for --state filesystem");
  }
  return s;
}

// With limit: `assoc generate --limit N` (one stream batch of N pending observations, oldest first).
std::string generate(Registry& reg, bool incremental, const std::string& types, bool dry_run,
                     const std::optional<std::string>& state, const std::string& state_dir,
                     std::optional<std::int64_t> limit) {
  if (limit && *limit <= 0) throw UserError("--limit must be positive");
  if (limit && !incremental) throw UserError("--limit and --full do not go together (a full run takes everything)");
  std::string out;
  reg.run(!dry_run, [&](storage::Registry& r) {
    phrased([&] {
      wording::phrase_assoc_errors([&] {
        assoc::GenerateOptions g;
        g.mode = incremental ? assoc::Mode::incremental : assoc::Mode::full;
        g.state = state_options(state, state_dir);
        if (!types.empty()) g.types = assoc::parse_assoc_types(types);
        g.dry_run = dry_run;
        g.check_cancel = check_interrupt;  // Ctrl-C: the generation is rolled back
        if (!limit) {
          out = assoc::generate_json(assoc::generate(r.assoc(), g)).dump();
          return;
        }
        assoc::StreamOptions so;  // as cli/cmd_assoc.cpp generate_limited
        so.state = g.state;
        so.types = g.types;
        so.batch_size = *limit;
        so.commit_every = 1;
        so.max_batches = 1;
        so.dry_run = dry_run;
        so.check_cancel = check_interrupt;
        out = assoc::generate_limited_json(assoc::stream(r.assoc(), so, [](const assoc::BatchReport&) {}), *limit,
                                           dry_run)
                  .dump();
      });
    });
  });
  return out;
}

using NamedEdit = assoc::NamedGroupChange (*)(storage::AssocStore&, const std::string&, const std::vector<std::string>&);

std::string named_edit(Registry& reg, NamedEdit fn, const std::string& name, const std::vector<std::string>& specs) {
  std::string out;
  reg.run(true, [&](storage::Registry& r) {
    phrased([&] { wording::phrase_assoc_errors([&] { out = assoc::named_group_change_json(fn(r.assoc(), name, specs)).dump(); }); });
  });
  return out;
}

}  // namespace

void define_writers(py::class_<Registry>& cls) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Interrupted&) {
      if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
    }
  });
  cls.def(
         "ingest_directory",
         [](Registry& r, const std::string& root, std::string location, std::string data_root, std::string pattern,
            bool recursive, bool skip_existing, std::optional<std::string> master, std::optional<int> nw_id,
            bool headers, int jobs, bool with_associations, bool prune, double prune_max_percent, bool force,
            bool dry_run, std::size_t batch_size) {
           DirectoryArgs a;
           static_cast<IngestArgs&>(a) = IngestArgs{std::move(location), std::move(data_root), std::move(master),
                                                    nw_id, headers, dry_run, with_associations};
           a.pattern = std::move(pattern);
           a.recursive = recursive;
           a.skip_existing = skip_existing;
           a.jobs = jobs;
           a.prune = prune;
           a.prune_max_percent = prune_max_percent;
           a.force = force;
           a.batch_size = batch_size;
           return ingest_directory(r, root, a);
         },
         py::arg("root"), py::kw_only(), py::arg("location") = "", py::arg("data_root") = "",
         py::arg("pattern") = "", py::arg("recursive") = true, py::arg("skip_existing") = false,
         py::arg("master") = py::none(), py::arg("nw_id") = py::none(), py::arg("headers") = true,
         py::arg("jobs") = 0, py::arg("with_associations") = false, py::arg("prune") = false,
         py::arg("prune_max_percent") = 50.0, py::arg("force") = false, py::arg("dry_run") = false,
         py::arg("batch_size") = std::size_t{100000})
      .def(
          "ingest_files",
          [](Registry& r, const std::vector<std::string>& paths, std::string location, std::string data_root,
             std::optional<std::string> master, std::optional<int> nw_id, bool headers, bool with_associations,
             bool dry_run) {
            return ingest_files(r, paths, IngestArgs{std::move(location), std::move(data_root), std::move(master),
                                                     nw_id, headers, dry_run, with_associations});
          },
          py::arg("paths"), py::kw_only(), py::arg("location") = "", py::arg("data_root") = "",
          py::arg("master") = py::none(), py::arg("nw_id") = py::none(), py::arg("headers") = true,
          py::arg("with_associations") = false, py::arg("dry_run") = false)
      .def("generate_associations", &generate, py::arg("incremental") = true, py::kw_only(), py::arg("types") = "",
           py::arg("dry_run") = false, py::arg("state") = py::none(), py::arg("state_dir") = "",
           py::arg("limit") = py::none())
      .def(
          "named_group_create",
          [](Registry& r, const std::string& name, const std::vector<std::string>& specs) {
            return named_edit(r, &assoc::create_named_group, name, specs);
          },
          py::arg("name"), py::arg("specs"))
      .def(
          "named_group_add",
          [](Registry& r, const std::string& name, const std::vector<std::string>& specs) {
            return named_edit(r, &assoc::add_to_named_group, name, specs);
          },
          py::arg("name"), py::arg("specs"))
      .def(
          "named_group_remove",
          [](Registry& r, const std::string& name, const std::vector<std::string>& specs) {
            return named_edit(r, &assoc::remove_from_named_group, name, specs);
          },
          py::arg("name"), py::arg("specs"))
      .def(
          "named_group_delete",
          [](Registry& r, const std::string& name) {
            r.run(true, [&](storage::Registry& s) {
              phrased([&] { wording::phrase_assoc_errors([&] { assoc::delete_named_group(s.assoc(), name); }); });
            });
          },
          py::arg("name"));
}

}  // namespace tolteca::python

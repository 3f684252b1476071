#include "cli/errors.h"

#include <fmt/format.h>

#include "ingest/errors.h"
#include "model/time_arg.h"
#include "storage/errors.h"

namespace tolteca::cli {

namespace {
using storage::BadExportFilter;

std::string phrase_filter(const BadExportFilter& e) {
  switch (e.problem) {
    case BadExportFilter::Problem::unknown_column:
      return fmt::format("--where: unknown column '{}' for --what {}; columns are: {}", e.column, e.target, e.detail);
    case BadExportFilter::Problem::wrong_value_type:
      return fmt::format("--where {} {} '{}': column {} needs {}", e.column, e.op, e.value, e.column, e.detail);
    case BadExportFilter::Problem::text_operator:
      return fmt::format("--where: '{}' applies to text columns; {} is {}", e.op, e.column, e.detail);
  }
  return e.what();
}
// Ingestion's typed errors (ingest/errors.h) with the ingest commands' flags; "" for another error.
std::string phrase_ingest(const UserError& e) {
  using namespace ingest;
  if (auto* j = dynamic_cast<const BadJobs*>(&e))
    return j->jobs < 0 ? fmt::format("--jobs {}: give a number of worker threads, or 0 for one per core", j->jobs)
                       : fmt::format("--jobs {} is too many: at most {} worker threads (each may run a netCDF-4 "
                                     "helper process); 0 means one per core",
                                     j->jobs, j->max_jobs);
  if (auto* w = dynamic_cast<const WorkerThreadRefused*>(&e))
    return fmt::format("cannot start worker thread {} of {}: {}; use fewer --jobs", w->index, w->jobs, w->reason);
  if (auto* t = dynamic_cast<const BadTimeBound*>(&e))
    return fmt::format("{} '{}': not a time; expected {}", t->bound == BadTimeBound::Bound::since ? "--since" : "--until",
                       t->text, time_arg_forms());
  if (auto* l = dynamic_cast<const SeveralLocations*>(&e))
    return fmt::format("the database has several locations ({}); choose one with --location", fmt::join(l->labels, ", "));
  if (auto* n = dynamic_cast<const LocationNeedsRoot*>(&e))
    return fmt::format("location {} does not exist: give its data root with --data-root", n->label);
  if (auto* m = dynamic_cast<const RootMismatch*>(&e))
    return fmt::format("location {} has data root {}, not {}; paths are stored relative to it (to change it: "
                       "tolteca_db db location move {} {})",
                       m->label, m->root, m->given, m->label, m->given);
  if (auto* o = dynamic_cast<const OutsideGivenRoot*>(&e))
    return fmt::format("{} is not under the data root {} of location {} (given with --data-root); nothing was written",
                       o->dir, o->root, o->label);
  if (auto* g = dynamic_cast<const RootCannotGrow*>(&e))
    return fmt::format("{} is not under the data root {} of location {}, and {}; nothing was written. Ingest it into "
                       "another location (--location NAME creates one), or re-root with 'tolteca_db db location "
                       "move {} NEWROOT'",
                       g->dir, g->root, g->label, g->why, g->label);
  if (auto* u = dynamic_cast<const UnknownLocation*>(&e))
    return fmt::format("location {} does not exist (see 'tolteca_db db location list')", u->label);
  if (auto* p = dynamic_cast<const PruneRootRefused*>(&e))
    return p->reason.empty()
               ? fmt::format("refusing --prune: {} is empty (is the data root mounted?); pruning would mark every "
                             "file under it missing; nothing was marked (give --force to prune anyway)",
                             p->root)
               : fmt::format("refusing --prune: cannot list {}: {}; nothing was marked missing (give --force to "
                             "prune anyway)",
                             p->root, p->reason);
  return {};
}

}  // namespace

std::string phrase_error(const UserError& e) {
  if (auto text = phrase_ingest(e); !text.empty()) return text;
  if (auto* m = dynamic_cast<const storage::RegistryMissing*>(&e))
    return fmt::format("database {} does not exist; create it with 'tolteca_db db init --db {}'", m->shown_name,
                       m->url_text);
  if (auto* l = dynamic_cast<const storage::RegistryLocked*>(&e))
    return fmt::format("{}; retry later or pass --wait SECONDS", l->what());
  if (auto* w = dynamic_cast<const storage::RegistryNotWritable*>(&e))
    return w->where == storage::RegistryNotWritable::Where::file
               ? fmt::format("{} (readers may use --read-only)", w->what())
               : fmt::format("{}; readers may use --read-only", w->what());
  if (dynamic_cast<const storage::NegativeLimit*>(&e)) return "--limit must not be negative";
  if (auto* u = dynamic_cast<const storage::UnknownExportWhat*>(&e))
    return fmt::format("unknown --what '{}'; use obs, files, groups, edges or a table ({})", u->target,
                       fmt::join(u->tables, ", "));
  if (auto* t = dynamic_cast<const storage::SpecsOnTable*>(&e))
    return fmt::format("observation specs apply to --what obs, files, groups or edges, not to table {}", t->table);
  if (auto* f = dynamic_cast<const BadExportFilter*>(&e)) return phrase_filter(*f);
  return e.what();
}

}  // namespace tolteca::cli

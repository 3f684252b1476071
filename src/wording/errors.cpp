#include "wording/errors.h"

#include <fmt/format.h>

#include "ingest/errors.h"
#include "model/time_arg.h"
#include "model/query_types.h"
#include "storage/admin_store.h"
#include "storage/errors.h"

namespace tolteca::wording {

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


std::string phrase_schema(const storage::SchemaRefused& e) {
  using P = storage::SchemaRefused::Problem;
  switch (e.problem) {
    case P::no_schema: return fmt::format("database {} has no tolteca_db schema; run 'tolteca_db db init' first", e.name);
    case P::lost_version:
      return fmt::format("database {} has lost its schema_version row; run 'tolteca_db db init' to repair it (the data "
                         "is kept)",
                         e.name);
    case P::older:
      return fmt::format("database {} has schema version {} (current {}); run 'tolteca_db db init' to migrate", e.name,
                         e.version, e.current);
    case P::incomplete:
      return fmt::format("database {} has an incomplete tolteca_db schema without a version (tables {}; missing {}); "
                         "refusing to change it: restore it from a 'db export', or use a new --db",
                         e.name, e.found, e.missing);
    case P::foreign:
      return fmt::format("database {} is not a tolteca_db registry (it has tables {}); refusing to add the tolteca_db "
                         "schema to it: use a new --db path",
                         e.name, e.found);
  }
  return e.what();
}

std::string phrase_import(const storage::ExportRefused& e) {
  using P = storage::ExportRefused::Problem;
  switch (e.problem) {
    case P::no_manifest:
      return fmt::format("{} has no {}: an incomplete export (interrupted) or one made before exports carried a "
                         "manifest; export again with 'tolteca_db db export', or pass --no-verify to restore its files "
                         "unchecked",
                         e.dir, storage::kManifestFile);
    case P::incomplete:
      return fmt::format("export in {} is incomplete: table(s) {} missing; nothing imported (to restore only what it "
                         "holds, pass --tables)",
                         e.dir, e.detail);
    case P::table_not_in_it: return fmt::format("--tables: table {} is not in the export in {}", e.table, e.dir);
    case P::subset_lacks_dep:
      return fmt::format("--tables: {} needs {}, which the subset lacks; add {} (nothing imported)", e.table, e.detail,
                         e.dep);
  }
  return e.what();
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
  if (auto* s = dynamic_cast<const storage::SchemaRefused*>(&e)) return phrase_schema(*s);
  if (auto* w = dynamic_cast<const query::BadWhereTerm*>(&e))
    return fmt::format("invalid --where '{}' at character {}: {}; expected COLUMN OP VALUE with OP one of = != < <= > >= "
                       "like ilike",
                       w->text, w->position, w->why);
  if (auto* x = dynamic_cast<const storage::NotAnExport*>(&e))
    return fmt::format("{} is not a tolteca_db export (it holds {}); --force replaces only an earlier export: choose "
                       "another directory",
                       x->dir, x->found);
  if (auto* i = dynamic_cast<const storage::ExportRefused*>(&e)) return phrase_import(*i);
  return e.what();
}

}  // namespace tolteca::wording

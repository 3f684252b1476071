#include "storage/errors.h"

#include <fmt/format.h>

#include "storage/admin_store.h"

namespace tolteca::storage {

RegistryMissing::RegistryMissing(std::string shown, std::string url)
    : UserError(fmt::format("database {} does not exist", shown)), shown_name(std::move(shown)), url_text(std::move(url)) {}

namespace {
std::string locked_text(const std::string& name, const std::optional<std::int64_t>& pid) {
  if (pid) return fmt::format("database {} is locked by another process (pid {})", name, *pid);
  return fmt::format("database {} is locked by another process", name);
}
}  // namespace

RegistryLocked::RegistryLocked(std::string n, std::optional<std::int64_t> p)
    : UserError(locked_text(n, p)), name(std::move(n)), pid(p) {}

RegistryNotWritable::RegistryNotWritable(Where w, std::string shown, std::string r)
    : UserError(fmt::format("cannot write database {}: {}", shown, r)), where(w), shown_name(std::move(shown)),
      reason(std::move(r)) {}

NegativeLimit::NegativeLimit(std::int64_t l) : UserError("the row limit must not be negative"), limit(l) {}

UnknownExportWhat::UnknownExportWhat(std::string w, std::vector<std::string> t)
    : UserError(fmt::format("unknown export '{}'; use obs, files, groups, edges or a table ({})", w, fmt::join(t, ", "))),
      target(std::move(w)),
      tables(std::move(t)) {}

SpecsOnTable::SpecsOnTable(std::string t)
    : UserError(fmt::format("observation specs apply to exports of obs, files, groups or edges, not to table {}", t)),
      table(std::move(t)) {}

namespace {
std::string filter_text(BadExportFilter::Problem p, const std::string& what, const std::string& column,
                        const std::string& op, const std::string& value, const std::string& detail) {
  switch (p) {
    case BadExportFilter::Problem::unknown_column:
      return fmt::format("export filter: unknown column '{}' for {}; columns are: {}", column, what, detail);
    case BadExportFilter::Problem::wrong_value_type:
      return fmt::format("export filter {} {} '{}': column {} needs {}", column, op, value, column, detail);
    case BadExportFilter::Problem::text_operator:
      return fmt::format("export filter: '{}' applies to text columns; {} is {}", op, column, detail);
  }
  return "export filter: bad term";
}
}  // namespace

BadExportFilter::BadExportFilter(Problem p, std::string w, std::string c, std::string o, std::string v, std::string d)
    : UserError(filter_text(p, w, c, o, v, d)),
      problem(p),
      target(std::move(w)),
      column(std::move(c)),
      op(std::move(o)),
      value(std::move(v)),
      detail(std::move(d)) {}

namespace {
std::string schema_text(SchemaRefused::Problem p, const std::string& name, int version, int current,
                        const std::string& found, const std::string& missing) {
  using P = SchemaRefused::Problem;
  switch (p) {
    case P::no_schema: return fmt::format("database {} has no tolteca_db schema", name);
    case P::lost_version:
      return fmt::format("database {} has lost its schema_version row (the data is kept)", name);
    case P::older: return fmt::format("database {} has schema version {} (current {}): it needs migrating", name, version, current);
    case P::incomplete:
      return fmt::format("database {} has an incomplete tolteca_db schema without a version (tables {}; missing {}); "
                         "refusing to change it",
                         name, found, missing);
    case P::foreign:
      return fmt::format("database {} is not a tolteca_db registry (it has tables {}); refusing to add the tolteca_db "
                         "schema to it",
                         name, found);
  }
  return name;
}

std::string export_text(ExportRefused::Problem p, const std::string& dir, const std::string& table,
                        const std::string& detail, const std::string& dep) {
  using P = ExportRefused::Problem;
  switch (p) {
    case P::no_manifest:
      return fmt::format("{} has no {}: an incomplete export (interrupted) or one made before exports carried a "
                         "manifest",
                         dir, kManifestFile);
    case P::incomplete:
      return fmt::format("export in {} is incomplete: table(s) {} missing; nothing imported", dir, detail);
    case P::table_not_in_it: return fmt::format("table {} is not in the export in {}", table, dir);
    case P::subset_lacks_dep:
      return fmt::format("{} needs {}, which the subset lacks; add {} (nothing imported)", table, detail, dep);
  }
  return dir;
}
}  // namespace

SchemaRefused::SchemaRefused(Problem p, std::string n, int v, int c, std::string f, std::string m)
    : UserError(schema_text(p, n, v, c, f, m)), problem(p), name(std::move(n)), version(v), current(c), found(std::move(f)),
      missing(std::move(m)) {}

NotAnExport::NotAnExport(std::string d, std::string f)
    : UserError(fmt::format("{} is not a tolteca_db export (it holds {}); only an earlier export may be replaced: "
                            "choose another directory",
                            d, f)),
      dir(std::move(d)), found(std::move(f)) {}

ExportRefused::ExportRefused(Problem p, std::string d, std::string t, std::string det, std::string dp)
    : UserError(export_text(p, d, t, det, dp)), problem(p), dir(std::move(d)), table(std::move(t)),
      detail(std::move(det)), dep(std::move(dp)) {}

}  // namespace tolteca::storage

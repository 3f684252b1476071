#include "cli/errors.h"

#include <fmt/format.h>

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
}  // namespace

std::string phrase_error(const UserError& e) {
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

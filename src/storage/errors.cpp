#include "storage/errors.h"

#include <fmt/format.h>

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

}  // namespace tolteca::storage

#include "wording/assoc_errors.h"

#include <fmt/format.h>

#include <cstdlib>

#include "assoc/errors.h"

namespace tolteca::wording {

namespace {

std::string read_only_message(assoc::ReadOnlyStore::Operation o) {
  switch (o) {
    case assoc::ReadOnlyStore::Operation::generate:
      return "assoc generate writes the database; it cannot run on a read-only session (use --dry-run)";
    case assoc::ReadOnlyStore::Operation::stream: return "assoc stream writes the database; use --dry-run";
    case assoc::ReadOnlyStore::Operation::reset_state:
      return "assoc reset-state writes the database; it cannot run read-only";
  }
  return "assoc: the database is open read-only";
}

}  // namespace

void phrase_assoc_errors(const std::function<void()>& body) {
  try {
    body();
  } catch (const assoc::UnknownAssocType& e) {
    throw UserError(
        fmt::format("unknown association type '{}' in --types; valid: {}", e.item, assoc::valid_assoc_type_names()));
  } catch (const assoc::NoAssocTypes&) {
    throw UserError(fmt::format("--types is empty; valid: {}", assoc::valid_assoc_type_names()));
  } catch (const assoc::ReadOnlyStore& e) {
    throw UserError(read_only_message(e.operation));
  } catch (const assoc::NonPositiveStreamSize& e) {
    throw UserError(e.field == assoc::NonPositiveStreamSize::Field::batch_size ? "--batch-size must be positive"
                                                                               : "--commit-every must be positive");
  } catch (const assoc::StateDirMissing&) {
    throw UserError("--state filesystem needs --state-dir DIR");
  } catch (const assoc::BadStateDocument& e) {
    throw UserError(fmt::format("association state {} is not a valid state document ({}); "
                                "run 'tolteca_db assoc reset-state' to start over",
                                e.where, e.detail));
  } catch (const assoc::EmptyGroupName&) {
    throw UserError("a named group needs a non-empty NAME");
  } catch (const assoc::NoGroupSpecs&) {
    throw UserError("give at least one SPEC (e.g. ics-18366, tcs-131289-0-{2,3}, 18366-[0:10])");
  } catch (const assoc::NamedGroupMissing& e) {
    throw UserError(fmt::format("no named group '{}' (see 'tolteca_db assoc group list')", e.name));
  } catch (const assoc::NamedGroupExists& e) {
    throw UserError(fmt::format("named group '{}' exists; use 'assoc group add'", e.name));
  }
}

}  // namespace tolteca::wording

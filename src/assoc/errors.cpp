#include "assoc/errors.h"

#include <fmt/format.h>

#include "model/assoc_type.h"

namespace tolteca::assoc {

std::string valid_assoc_type_names() {
  std::string s;
  for (AssocType t : kAssocTypes) s += (s.empty() ? "" : ", ") + std::string(assoc_type_name(t));
  return s;
}

UnknownAssocType::UnknownAssocType(std::string item_)
    : UserError(fmt::format("unknown association type '{}'; valid: {}", item_, valid_assoc_type_names())),
      item(std::move(item_)) {}

NoAssocTypes::NoAssocTypes()
    : UserError(fmt::format("no association type given; valid: {}", valid_assoc_type_names())) {}

namespace {
const char* operation_name(ReadOnlyStore::Operation o) {
  switch (o) {
    case ReadOnlyStore::Operation::generate: return "generating associations";
    case ReadOnlyStore::Operation::stream: return "streaming associations";
    case ReadOnlyStore::Operation::reset_state: return "resetting the association state";
  }
  return "?";
}
const char* field_name(NonPositiveStreamSize::Field f) {
  return f == NonPositiveStreamSize::Field::batch_size ? "batch size" : "commit interval (batches per transaction)";
}
}  // namespace

ReadOnlyStore::ReadOnlyStore(Operation operation_)
    : UserError(fmt::format("{} writes the registry; it is open read-only", operation_name(operation_))),
      operation(operation_) {}

NonPositiveStreamSize::NonPositiveStreamSize(Field field_, std::int64_t value_)
    : UserError(fmt::format("the {} must be positive (got {})", field_name(field_), value_)),
      field(field_),
      value(value_) {}

StateDirMissing::StateDirMissing() : UserError("the filesystem state backend needs a state directory") {}

BadStateDocument::BadStateDocument(std::string where_, std::string detail_)
    : UserError(fmt::format("association state {} is not a valid state document ({})", where_, detail_)),
      where(std::move(where_)),
      detail(std::move(detail_)) {}

EmptyGroupName::EmptyGroupName() : UserError("a named group needs a non-empty name") {}

NoGroupSpecs::NoGroupSpecs() : UserError("no observation spec given") {}

NamedGroupMissing::NamedGroupMissing(std::string name_)
    : UserError(fmt::format("no named group '{}'", name_)), name(std::move(name_)) {}

NamedGroupExists::NamedGroupExists(std::string name_)
    : UserError(fmt::format("named group '{}' exists", name_)), name(std::move(name_)) {}

}  // namespace tolteca::assoc

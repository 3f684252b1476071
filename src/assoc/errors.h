#pragma once
// Typed errors of the association engine. Each carries the facts and a
// what() that names no command-line flag or command; the CLI
// (cli/assoc_errors.h) phrases them with its flags. All are UserErrors
// (exit 1): bad input or a registry in the wrong state, never a bug.
#include <cstdint>
#include <string>

#include "model/error.h"

namespace tolteca::assoc {

// An association type name that parse_assoc_types does not know.
struct UnknownAssocType : UserError {
  explicit UnknownAssocType(std::string item);
  std::string item;
};

// parse_assoc_types got a list without any name.
struct NoAssocTypes : UserError {
  NoAssocTypes();
};

// "cal_group, drivefit, focus_group, astig_group, raw_obs_cal_obs": the names
// parse_assoc_types accepts (besides aliases), for messages.
std::string valid_assoc_type_names();

// A writing operation on a read-only store.
struct ReadOnlyStore : UserError {
  enum class Operation { generate, stream, reset_state };
  explicit ReadOnlyStore(Operation operation);
  Operation operation;
};

// A stream size that must be positive.
struct NonPositiveStreamSize : UserError {
  enum class Field { batch_size, commit_every };
  NonPositiveStreamSize(Field field, std::int64_t value);
  Field field;
  std::int64_t value;
};

// The filesystem state backend without a directory.
struct StateDirMissing : UserError {
  StateDirMissing();
};

// A state document that does not parse (JSON or its fields).
struct BadStateDocument : UserError {
  BadStateDocument(std::string where, std::string detail);
  std::string where;   // "table assoc_state" or the file path
  std::string detail;  // the parser's message
};

// Named groups.
struct EmptyGroupName : UserError {
  EmptyGroupName();
};
struct NoGroupSpecs : UserError {
  NoGroupSpecs();
};
struct NamedGroupMissing : UserError {
  explicit NamedGroupMissing(std::string name);
  std::string name;
};
struct NamedGroupExists : UserError {
  explicit NamedGroupExists(std::string name);
  std::string name;
};

}  // namespace tolteca::assoc

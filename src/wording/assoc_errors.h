#pragma once
// The phrasing of the association engine's typed errors (assoc/errors.h) with the CLI's flag
// names (--types, --state-dir, ...): the CLI (cli/assoc_open.h) and the Python package
// (src/python/) run association calls under it, so both give the same messages.
#include <functional>

namespace tolteca::wording {

// Runs body; an assoc/errors.h error escapes as a UserError phrased for the command line (naming
// --types, --state-dir, ...). Other exceptions pass.
void phrase_assoc_errors(const std::function<void()>& body);

}  // namespace tolteca::wording

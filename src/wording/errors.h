#pragma once
// The front ends' wording of library errors: the library's typed errors carry facts
// (storage/errors.h, ingest/errors.h); here they are phrased with the command-line flags that
// fix them (--db, --wait, --read-only, --limit, --what, --where; --jobs, --since, --until,
// --location, --data-root, --prune, --force). The CLI prints these; the Python package
// (src/python/) raises them, so both say the same.
#include <string>

#include "model/error.h"

namespace tolteca::wording {

// The one-line message for stderr ("tolteca_db: error: " + this).
std::string phrase_error(const UserError& e);

}  // namespace tolteca::wording

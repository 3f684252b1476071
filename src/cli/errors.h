#pragma once
// The CLI's wording of library errors lives in wording/errors.h (the Python package says the same).
#include "wording/errors.h"

namespace tolteca::cli {

using wording::phrase_error;

}  // namespace tolteca::cli

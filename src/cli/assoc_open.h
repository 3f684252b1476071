#pragma once
// The phrasing of the association engine's typed errors (assoc/errors.h) with the CLI's flag
// names: wording/assoc_errors.h. (The store itself is Registry::assoc().)
#include <functional>

#include "wording/assoc_errors.h"

namespace tolteca::cli {

using wording::phrase_assoc_errors;

// A CLI11 callback running body under phrase_assoc_errors.
inline std::function<void()> assoc_callback(std::function<void()> body) {
  return [body = std::move(body)] { phrase_assoc_errors(body); };
}

}  // namespace tolteca::cli

#pragma once
// The CLI's one way to the associations' store, and the phrasing of the
// engine's typed errors (assoc/errors.h) with the CLI's flag names.
#include <functional>
#include <memory>

#include "db/session.h"
#include "storage/assoc_store.h"

namespace tolteca::cli {

// The association store of an open session; options from the environment
// (TOLTECA_ASSOC_TRACE=1: print every query with its time on stderr).
std::unique_ptr<storage::AssocStore> open_assoc_store(db::Session& session);

// Runs body; an assoc/errors.h error escapes as a UserError phrased for the
// command line (naming --types, --state-dir, ...). Other exceptions pass.
void phrase_assoc_errors(const std::function<void()>& body);

// A CLI11 callback running body under phrase_assoc_errors.
inline std::function<void()> assoc_callback(std::function<void()> body) {
  return [body = std::move(body)] { phrase_assoc_errors(body); };
}

}  // namespace tolteca::cli

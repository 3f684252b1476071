#pragma once
// The phrasing of the association engine's typed errors (assoc/errors.h)
// with the CLI's flag names. (The store itself is Registry::assoc().)
#include <functional>
#include <memory>


namespace tolteca::cli {

// Runs body; an assoc/errors.h error escapes as a UserError phrased for the
// command line (naming --types, --state-dir, ...). Other exceptions pass.
void phrase_assoc_errors(const std::function<void()>& body);

// A CLI11 callback running body under phrase_assoc_errors.
inline std::function<void()> assoc_callback(std::function<void()> body) {
  return [body = std::move(body)] { phrase_assoc_errors(body); };
}

}  // namespace tolteca::cli

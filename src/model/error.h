#pragma once
// Error categories that map to the CLI's exit codes: a UserError (bad input,
// missing file, bad option) exits 1; anything else that escapes exits 2.
#include <stdexcept>
#include <string>

namespace tolteca {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tolteca

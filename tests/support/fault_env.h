#pragma once
// Fault injection for the header reader, on the test side of the files::Env seam (files/env.h).
// FaultEnv crashes (SIGSEGV) or hangs inside "netCDF-C's open" of any path containing a given text —
// what a damaged netCDF-4 file does to libhdf5. A test that wants it in a header helper process passes
// helper_fault_args(...) as HeaderReadOptions::helper_args; the test programs' main()
// (tests/support/test_main.cpp) serves such a helper with the FaultEnv those arguments describe.
// The argument syntax lives here, in the tests, only.
#include <string>
#include <vector>

#include "files/env.h"

namespace tolteca::test {

struct Fault {
  std::string crash_on = {};  // raise SIGSEGV when the path contains this ("" = never)
  std::string hang_on = {};   // sleep for an hour when the path contains this ("" = never)
};

class FaultEnv : public files::EnvWrapper {
 public:
  FaultEnv(files::Env& target, Fault fault) : EnvWrapper(target), fault_(std::move(fault)) {}
  int nc_open_read(const std::string& path, int* ncid) override;

 private:
  Fault fault_;
};

// HeaderReadOptions::helper_args that make a test program's helper serve with FaultEnv(fault).
std::vector<std::string> helper_fault_args(const Fault& fault);
// The fault such arguments describe (unknown arguments are ignored).
Fault fault_from_helper_args(const std::vector<std::string>& args);

}  // namespace tolteca::test

#pragma once
// The header helper's entry point (see files/header_process.h for why headers are read in a helper
// process). A helper is this same executable, started by HeaderReaderProcess with argv[1] ==
// kHeaderHelperArg and its socket on descriptor 3. Nothing happens behind the program's back: the
// main() of every program that reads headers through read_header_isolated() (tolteca_db, the test
// and benchmark programs) starts with
//
//   if (files::is_header_helper(argc, argv)) files::serve_header_helper(files::Env::Default());
//
// A program that does not would run its own main() again in each helper. The Env chosen here is the
// seam for faults: a test program serves with an Env that crashes or hangs where its
// header_helper_args() say (HeaderReadOptions::helper_args), so production code knows no fault syntax.
#include <string>
#include <vector>

#include "files/env.h"

namespace tolteca::files {

// argv[1] of a helper process.
inline constexpr const char* kHeaderHelperArg = "--tolteca-header-helper";

// Whether this process was started as a header helper.
bool is_header_helper(int argc, char** argv);

// The HeaderReadOptions::helper_args this helper was started with (argv[2..]).
std::vector<std::string> header_helper_args(int argc, char** argv);

// Serves header reads (read_header(path, env)) on descriptor 3 until the parent closes the socket,
// then leaves with _exit(0). Ignores SIGINT (Ctrl-C stops the parent, which then closes the socket).
[[noreturn]] void serve_header_helper(Env& env);

}  // namespace tolteca::files

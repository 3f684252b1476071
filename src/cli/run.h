#pragma once
// One command line, parsed and run: what `tolteca_db ARGS...` does after process setup. The
// process's main() calls it; a server (src/server) calls it on a job thread for a caller whose
// command it runs, with that caller's console installed (cli/console.h). Output goes to
// console(); the return value is the exit code: 0 success, 1 user error, 2 internal error,
// 130 cancelled (Ctrl-C of a forwarded command).
namespace tolteca::cli {

int run_command_line(int argc, char** argv);

}  // namespace tolteca::cli

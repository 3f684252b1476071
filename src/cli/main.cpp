// tolteca_db: the command-line front end. It parses arguments and prints;
// the engine (libtolteca) does the work.
#include "cli/process_setup.h"
#include "cli/run.h"

int main(int argc, char** argv) {
  tolteca::cli::setup_process(argc, argv);  // a header helper serves there and never returns
  return tolteca::cli::run_command_line(argc, argv);
}

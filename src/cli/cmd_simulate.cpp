// Placeholder until the simulate commands land; replaced by the issue that owns them.
#include "cli/common.h"

namespace tolteca::cli {
void register_simulate_command(CLI::App&) {}
}  // namespace tolteca::cli

// Placeholder until the assoc commands land; replaced by the issue that owns them.
#include "cli/common.h"

namespace tolteca::cli {
void register_assoc_commands(CLI::App&) {}
}  // namespace tolteca::cli

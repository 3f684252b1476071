// Placeholder until the ingest commands land; replaced by the issue that owns them.
#include "cli/common.h"

namespace tolteca::cli {
void register_ingest_commands(CLI::App&) {}
}  // namespace tolteca::cli

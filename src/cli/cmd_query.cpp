// Placeholder until the query commands land; replaced by the issue that owns them.
#include "cli/common.h"

namespace tolteca::cli {
void register_query_commands(CLI::App&) {}
}  // namespace tolteca::cli

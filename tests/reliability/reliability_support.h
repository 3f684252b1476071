#pragma once
// Helpers of the reliability tests: starting the CLI in the background and killing it, and a
// canonical projection of a registry (no ids, no timestamps of our own, no sequence values) to compare
// two databases built by different histories.
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace tolteca::test {

// spawn_cli and wait_cli are in support/test_support.h.
// SIGKILL, then reap. Returns what wait_cli returns (137 when the kill landed, the exit code when the
// process had already finished).
int kill9(pid_t pid);

// table name -> sorted rows (one text line each). Tables: locations, products, sources, edges,
// problems (distinct failed/skipped events: kind, subject, message).
using Canonical = std::map<std::string, std::vector<std::string>>;
// with_mtime=false leaves out sources.mtime_ns (to compare archives written at different times).
Canonical canonical_tables(const std::string& db_path, bool with_mtime = true);
// Empty when equal; otherwise a readable account of the first differences of each table.
std::string describe_differences(const Canonical& expected, const Canonical& actual, std::size_t max_lines = 8);

}  // namespace tolteca::test

#pragma once
// Typed errors of ingestion. Each carries the facts (which value, which location, which directory)
// and a what() that names no command-line flag or command; the CLI (cli/errors.h) phrases them with
// the flags that fix them (--jobs, --since, --until, --location, --data-root, --prune, --force).
// All derive from UserError (exit 1): the user's input or environment, never a bug.
#include <string>
#include <vector>

#include "model/error.h"

namespace tolteca::ingest {

// A number of worker threads below 0 or above the limit (IngestOptions::jobs, ScanOptions::jobs).
struct BadJobs : UserError {
  BadJobs(int jobs, int max_jobs);
  int jobs;
  int max_jobs;  // kMaxJobs
};

// The system refused to start worker thread `index` (1-based) of `jobs`; the run stopped cleanly.
struct WorkerThreadRefused : UserError {
  WorkerThreadRefused(int index, int jobs, std::string reason);
  int index, jobs;
  std::string reason;  // the system's (std::system_error::what())
};

// A bound of the site database's date filter (SiteDbOptions::since / until) that is not a time
// (model/time_arg.h says which forms are).
struct BadTimeBound : UserError {
  enum class Bound { since, until };
  BadTimeBound(Bound bound, std::string text);
  Bound bound;
  std::string text;
};

// No location was named and the registry has more than one.
struct SeveralLocations : UserError {
  explicit SeveralLocations(std::vector<std::string> labels);
  std::vector<std::string> labels;  // in the registry's order
};

// The named location does not exist and no data root was given to create it with.
struct LocationNeedsRoot : UserError {
  explicit LocationNeedsRoot(std::string label);
  std::string label;
};

// An existing location has another data root than the one given.
struct RootMismatch : UserError {
  RootMismatch(std::string label, std::string root, std::string given);
  std::string label, root;  // the location and its stored root
  std::string given;        // the root given (absolute_root() form)
};

// `dir` is outside the location's root, and the root was named by the user (no silent growth).
struct OutsideGivenRoot : UserError {
  OutsideGivenRoot(std::string dir, std::string root, std::string label);
  std::string dir, root, label;
};

// `dir` is outside the location's root and the root cannot grow to take it in; nothing was written.
struct RootCannotGrow : UserError {
  RootCannotGrow(std::string dir, std::string root, std::string label, std::string why);
  std::string dir, root, label;
  std::string why;  // "their only common ancestor is /", "symlinks make … ambiguous"
};

// move_location() of a label the registry does not have.
struct UnknownLocation : UserError {
  explicit UnknownLocation(std::string label);
  std::string label;
};

// Pruning refused before the walk (prune_guard.h check_prune_root): the root cannot be listed
// (reason: the system's, strerror) or holds no entries (reason empty).
struct PruneRootRefused : UserError {
  PruneRootRefused(std::string root, std::string reason);
  std::string root;
  std::string reason;
};

}  // namespace tolteca::ingest

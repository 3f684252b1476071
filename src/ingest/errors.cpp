// The typed ingestion errors, see errors.h. Their what() states the facts without the CLI's words.
#include "ingest/errors.h"

#include <fmt/format.h>

namespace tolteca::ingest {

namespace {
const char* bound_name(BadTimeBound::Bound b) { return b == BadTimeBound::Bound::since ? "since" : "until"; }
}  // namespace

BadJobs::BadJobs(int j, int max)
    : UserError(j < 0 ? fmt::format("{} worker threads: not a number of worker threads (0: one per core)", j)
                      : fmt::format("{} worker threads is too many: at most {}", j, max)),
      jobs(j),
      max_jobs(max) {}

WorkerThreadRefused::WorkerThreadRefused(int i, int n, std::string r)
    : UserError(fmt::format("cannot start worker thread {} of {}: {}", i, n, r)), index(i), jobs(n), reason(std::move(r)) {}

BadTimeBound::BadTimeBound(Bound b, std::string t)
    : UserError(fmt::format("{} '{}': not a time", bound_name(b), t)), bound(b), text(std::move(t)) {}

SeveralLocations::SeveralLocations(std::vector<std::string> l)
    : UserError(fmt::format("the database has several locations ({}); choose one", fmt::join(l, ", "))),
      labels(std::move(l)) {}

LocationNeedsRoot::LocationNeedsRoot(std::string l)
    : UserError(fmt::format("location {} does not exist and no data root was given to create it", l)),
      label(std::move(l)) {}

RootMismatch::RootMismatch(std::string l, std::string r, std::string g)
    : UserError(fmt::format("location {} has data root {}, not {}", l, r, g)),
      label(std::move(l)),
      root(std::move(r)),
      given(std::move(g)) {}

OutsideGivenRoot::OutsideGivenRoot(std::string d, std::string r, std::string l)
    : UserError(fmt::format("{} is not under the data root {} of location {}; nothing was written", d, r, l)),
      dir(std::move(d)),
      root(std::move(r)),
      label(std::move(l)) {}

RootCannotGrow::RootCannotGrow(std::string d, std::string r, std::string l, std::string w)
    : UserError(fmt::format("{} is not under the data root {} of location {}, and {}; nothing was written", d, r, l, w)),
      dir(std::move(d)),
      root(std::move(r)),
      label(std::move(l)),
      why(std::move(w)) {}

UnknownLocation::UnknownLocation(std::string l)
    : UserError(fmt::format("location {} does not exist", l)), label(std::move(l)) {}

PruneRootRefused::PruneRootRefused(std::string r, std::string why)
    : UserError(why.empty() ? fmt::format("refusing to prune: {} is empty", r)
                            : fmt::format("refusing to prune: cannot list {}: {}", r, why)),
      root(std::move(r)),
      reason(std::move(why)) {}

}  // namespace tolteca::ingest

// The ingest writer (run.h): tallies, batches, commits.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "ingest/run.h"
#include "model/time.h"

namespace tolteca::ingest::detail {

void Writer::consume(std::vector<Done>& chunk) {
  for (auto& d : chunk) take(d);
  if (pending_.size() >= opts_.batch_size) flush();
}

void Writer::tick(const Progress& p) {
  if (!pending_.empty() && seconds_since(last_flush_) >= opts_.batch_seconds) flush();
  if (opts_.progress) opts_.progress(p);
}

void Writer::flush() {
  struct Stamp {
    Clock::time_point& t;
    ~Stamp() { t = Clock::now(); }  // the next time-based flush counts from the end of this one
  } stamp{last_flush_};
  if (pending_.empty() && events_.empty()) return;
  if (repo_ && !opts_.dry_run) {
    auto out = repo_->write_batch(pending_, events_);
    created_.insert(out.created.begin(), out.created.end());
    changed_.insert(out.changed.begin(), out.changed.end());
    ++sum_.batches;
  } else {
    for (const auto& r : pending_)
      if (!r.reduced) changed_.insert(r.uid);
  }
  pending_.clear();
  events_.clear();
}

void Writer::finish_counts() {
  sum_.obsnum_ranges.clear();
  for (const char* m : {"tcs", "ics", "clip"})
    if (auto it = ranges_.find(m); it != ranges_.end()) sum_.obsnum_ranges.push_back(it->second);
  for (const auto& [m, r] : ranges_)
    if (m != "tcs" && m != "ics" && m != "clip") sum_.obsnum_ranges.push_back(r);
  sum_.nights.assign(nights_.begin(), nights_.end());
  if (opts_.dry_run) {
    std::vector<std::string> uids(changed_.begin(), changed_.end());
    std::int64_t existing = repo_ ? repo_->count_existing_raw_obs(uids) : 0;
    sum_.raw_obs_created = static_cast<std::int64_t>(uids.size()) - existing;
    sum_.raw_obs_updated = existing;
    return;
  }
  sum_.raw_obs_created = static_cast<std::int64_t>(created_.size());
  std::int64_t updated = 0;
  for (const auto& u : changed_)
    if (!created_.count(u)) ++updated;
  sum_.raw_obs_updated = updated;
}

void Writer::take(Done& d) {
  ++decided_;
  const auto& c = d.c;
  FileOutcome fo;
  if (opts_.collect_files) {
    fo.path = d.rel;
    fo.uid = c.record.uid;
    fo.interface = c.record.interface;
    fo.data_kind = c.record.data_kind;
  }
  if (d.unchanged) {
    ++sum_.unchanged;
    fo.status = "unchanged";
  } else if (c.outcome == Outcome::skipped) {
    take_skipped(d, fo);
  } else {
    if (c.outcome == Outcome::failed) {
      if (!take_failed(d, fo)) {
        if (opts_.collect_files) sum_.files.push_back(std::move(fo));
        return;
      }
    } else {
      d.known ? ++sum_.updated : ++sum_.new_files;
      fo.status = d.known ? "updated" : "new";
      if (c.record.problem) {
        ++sum_.flagged;
        fo.note = *c.record.problem;
        note_problem(d.rel, "flagged", fo.note);
      }
    }
    note_added(d.c.record);
    pending_.push_back(std::move(d.c.record));
  }
  if (opts_.collect_files) sum_.files.push_back(std::move(fo));
}

void Writer::take_skipped(Done& d, FileOutcome& fo) {
  const auto& c = d.c;
  ++sum_.skipped;
  ++sum_.skipped_reasons[c.reason];
  fo.status = "skipped";
  fo.note = c.reason + (c.detail.empty() ? "" : ": " + c.detail);
  if (note_problem(d.rel, "skipped", fo.note) && first_time_skipped(d.rel, fo.note))
    events_.push_back({"skipped", d.rel, fo.note, nlohmann::json{{"reason", c.reason}}.dump()});
}

bool Writer::take_failed(Done& d, FileOutcome& fo) {
  const auto& c = d.c;
  ++sum_.failed;
  ++sum_.failed_reasons[c.reason];
  fo.status = "failed";
  fo.note = c.detail.empty() ? c.reason : c.detail;
  note_problem(d.rel, "failed", fo.note);
  events_.push_back({"failed", d.rel, fo.note, nlohmann::json{{"reason", c.reason}}.dump()});
  return !c.record.uid.empty();  // empty: nothing to record (a path outside the data root, a bad identity)
}

void Writer::note_added(const storage::FileRecord& r) {
  if (r.master.empty()) return;
  auto [it, fresh] = ranges_.try_emplace(r.master, IngestSummary::ObsnumRange{r.master, r.obsnum, r.obsnum, 0});
  it->second.first = std::min(it->second.first, r.obsnum);
  it->second.last = std::max(it->second.last, r.obsnum);
  ++it->second.files;
  if (auto t = r.obs_start_time ? r.obs_start_time : r.file_time) nights_.insert(format_iso8601(*t).substr(0, 10));
}

// A file skipped for the same reason by an earlier run was logged then: a re-run writes nothing new.
bool Writer::first_time_skipped(const std::string& rel, const std::string& message) {
  if (!repo_ || opts_.dry_run) return true;
  if (!logged_skips_) logged_skips_ = repo_->event_keys("skipped");
  return logged_skips_->insert(rel + '\n' + message).second;
}

// Lists a problem file in the summary; false once the list is full (then only counted).
bool Writer::note_problem(const std::string& rel, const char* status, const std::string& reason) {
  if (sum_.problems.size() >= IngestSummary::kMaxListedProblems) {
    ++sum_.problems_not_listed;
    return false;
  }
  sum_.problems.push_back({rel, status, reason});
  return true;
}

}  // namespace tolteca::ingest::detail

#pragma once
// When a raw observation is whole. Each network writes its own file while the observation runs; the
// observation is complete when every expected network has a file in, or when none of its files has
// arrived for the settle time (a network that dropped out must not hold it back for ever).
// Expected networks: the ones given (minus the disabled ones), or, when none are given, those of the
// previous complete observation of the same master (minus the disabled ones); an observation with no
// such predecessor completes by the settle time only. Pure bookkeeping: the caller passes the time.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tolteca::watch {

struct CompletionOptions {
  std::vector<int> networks;           // expected; empty: those of the previous observation
  std::vector<int> disabled_networks;  // never expected
  double settle_seconds = 30;
};

class CompletionTracker {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CompletionTracker(CompletionOptions options);

  // A file of raw observation `uid` (its quartet text, "ics-18340-0-0") came in; network: the
  // TolTEC network of the file (nullopt for hwpr, telescope and other files).
  void file_in(const std::string& uid, std::optional<int> network, Clock::time_point now);

  // The observations that became complete, in the order their first file came in.
  std::vector<std::string> take_complete(Clock::time_point now);

  std::size_t incomplete() const { return open_.size(); }
  std::vector<std::string> incomplete_uids() const;

 private:
  struct Open {
    std::int64_t order = 0;
    std::set<int> networks;
    Clock::time_point last_file;
  };
  std::set<int> expected_for(const std::string& master) const;
  CompletionOptions options_;
  std::map<std::string, Open> open_;
  std::map<std::string, std::set<int>> last_networks_;  // master -> networks of its last complete observation
  std::int64_t next_order_ = 0;
};

}  // namespace tolteca::watch

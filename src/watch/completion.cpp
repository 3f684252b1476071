#include "watch/completion.h"

#include <algorithm>

namespace tolteca::watch {
namespace {

std::string master_of(const std::string& uid) { return uid.substr(0, uid.find('-')); }

}  // namespace

CompletionTracker::CompletionTracker(CompletionOptions options) : options_(std::move(options)) {}

void CompletionTracker::file_in(const std::string& uid, std::optional<int> network, Clock::time_point now) {
  auto [it, added] = open_.try_emplace(uid);
  if (added) it->second.order = next_order_++;
  if (network) it->second.networks.insert(*network);
  it->second.last_file = now;
}

std::set<int> CompletionTracker::expected_for(const std::string& master) const {
  std::set<int> expected;
  if (!options_.networks.empty()) {
    expected.insert(options_.networks.begin(), options_.networks.end());
  } else if (auto it = last_networks_.find(master); it != last_networks_.end()) {
    expected = it->second;
  }
  for (int n : options_.disabled_networks) expected.erase(n);
  return expected;
}

std::vector<std::string> CompletionTracker::take_complete(Clock::time_point now) {
  const auto settle = std::chrono::duration<double>(options_.settle_seconds);
  std::vector<std::pair<std::int64_t, std::string>> done;
  for (const auto& [uid, o] : open_) {
    const std::set<int> expected = expected_for(master_of(uid));
    const bool all_in = !expected.empty() && std::includes(o.networks.begin(), o.networks.end(),
                                                           expected.begin(), expected.end());
    if (all_in || now - o.last_file >= settle) done.emplace_back(o.order, uid);
  }
  std::sort(done.begin(), done.end());
  std::vector<std::string> out;
  for (const auto& [order, uid] : done) {
    auto it = open_.find(uid);
    if (!it->second.networks.empty()) last_networks_[master_of(uid)] = it->second.networks;
    open_.erase(it);
    out.push_back(uid);
  }
  return out;
}

std::vector<std::string> CompletionTracker::incomplete_uids() const {
  std::vector<std::pair<std::int64_t, std::string>> v;
  for (const auto& [uid, o] : open_) v.emplace_back(o.order, uid);
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (auto& [order, uid] : v) out.push_back(std::move(uid));
  return out;
}

}  // namespace tolteca::watch

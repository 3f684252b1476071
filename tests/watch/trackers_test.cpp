// The watcher's bookkeeping: when a file is ready (watch/file_tracker.h) and when an observation is
// complete (watch/completion.h), on a hand-driven clock.
#include <gtest/gtest.h>

#include <map>

#include "watch/completion.h"
#include "watch/file_tracker.h"

namespace tolteca::watch {
namespace {

using namespace std::chrono_literals;

struct FakeFs {
  std::map<std::string, FileState> files;
  StatFn stat() {
    return [this](const std::string& p) -> std::optional<FileState> {
      auto it = files.find(p);
      if (it == files.end()) return std::nullopt;
      return it->second;
    };
  }
};

TEST(FileTracker, AFileIsReadyOnlyAfterItStoppedChangingForTheSettleTime) {
  FakeFs fs;
  FileTracker t(2.0);
  const auto t0 = Clock::now();
  fs.files["/r/a.nc"] = {100, 1, true};
  t.touched("/r/a.nc", t0);
  EXPECT_TRUE(t.take_due(t0 + 1s, fs.stat()).ready.empty());
  fs.files["/r/a.nc"] = {200, 2, true};  // still growing, no event (a poll would see it)
  EXPECT_TRUE(t.take_due(t0 + 2500ms, fs.stat()).ready.empty());
  EXPECT_TRUE(t.take_due(t0 + 4s, fs.stat()).ready.empty());
  const auto due = t.take_due(t0 + 4600ms, fs.stat());
  ASSERT_EQ(due.ready, std::vector<std::string>{"/r/a.nc"});
  EXPECT_EQ(t.pending(), 0u);
}

TEST(FileTracker, ATouchRestartsTheSettleTime) {
  FakeFs fs;
  FileTracker t(1.0);
  const auto t0 = Clock::now();
  fs.files["/r/a.nc"] = {1, 1, true};
  t.touched("/r/a.nc", t0);
  t.touched("/r/a.nc", t0 + 900ms);
  EXPECT_TRUE(t.take_due(t0 + 1500ms, fs.stat()).ready.empty());
  EXPECT_EQ(t.take_due(t0 + 2s, fs.stat()).ready.size(), 1u);
}

TEST(FileTracker, LinksAreNeverReadAndVanishedFilesAreGone) {
  FakeFs fs;
  FileTracker t(0.0);
  const auto t0 = Clock::now();
  fs.files["/r/toltec0.nc"] = {10, 1, false};  // the current-file link
  t.touched("/r/toltec0.nc", t0);
  t.touched("/r/deleted.nc", t0);
  const auto due = t.take_due(t0, fs.stat());
  EXPECT_TRUE(due.ready.empty());
  EXPECT_EQ(due.gone, std::vector<std::string>{"/r/deleted.nc"});
  EXPECT_EQ(t.pending(), 0u);
}

TEST(CompletionTracker, CompleteWhenEveryExpectedNetworkIsIn) {
  CompletionTracker c({{0, 1, 2}, {}, 30});
  const auto t0 = CompletionTracker::Clock::now();
  c.file_in("ics-1-0-0", 0, t0);
  c.file_in("ics-1-0-0", 1, t0);
  c.file_in("ics-1-0-0", std::nullopt, t0);  // hwpr: no network
  EXPECT_TRUE(c.take_complete(t0 + 1s).empty());
  EXPECT_EQ(c.incomplete_uids(), std::vector<std::string>{"ics-1-0-0"});
  c.file_in("ics-1-0-0", 2, t0 + 2s);
  EXPECT_EQ(c.take_complete(t0 + 2s), std::vector<std::string>{"ics-1-0-0"});
  EXPECT_EQ(c.incomplete(), 0u);
}

TEST(CompletionTracker, DisabledNetworksAreNotWaitedFor) {
  CompletionTracker c({{0, 1, 2}, {2}, 30});
  const auto t0 = CompletionTracker::Clock::now();
  c.file_in("ics-1-0-0", 0, t0);
  c.file_in("ics-1-0-0", 1, t0);
  EXPECT_EQ(c.take_complete(t0).size(), 1u);
}

TEST(CompletionTracker, ByDefaultTheNetworksOfThePreviousObservationAreExpected) {
  CompletionTracker c({{}, {}, 10});
  const auto t0 = CompletionTracker::Clock::now();
  c.file_in("ics-1-0-0", 0, t0);
  c.file_in("ics-1-0-0", 7, t0);
  // No predecessor: complete by the settle time only.
  EXPECT_TRUE(c.take_complete(t0 + 9s).empty());
  EXPECT_EQ(c.take_complete(t0 + 10s), std::vector<std::string>{"ics-1-0-0"});
  c.file_in("ics-2-0-0", 7, t0 + 11s);
  EXPECT_TRUE(c.take_complete(t0 + 11s).empty());  // network 0 not in yet
  c.file_in("ics-2-0-0", 0, t0 + 12s);
  EXPECT_EQ(c.take_complete(t0 + 12s), std::vector<std::string>{"ics-2-0-0"});
  // Another master has its own predecessor.
  c.file_in("tcs-5-0-0", 0, t0 + 12s);
  EXPECT_TRUE(c.take_complete(t0 + 13s).empty());
}

TEST(CompletionTracker, ANetworkThatDroppedOutHoldsTheObservationOnlyForTheSettleTime) {
  CompletionTracker c({{0, 1}, {}, 5});
  const auto t0 = CompletionTracker::Clock::now();
  c.file_in("ics-1-0-0", 0, t0);
  EXPECT_TRUE(c.take_complete(t0 + 4s).empty());
  EXPECT_EQ(c.take_complete(t0 + 5s), std::vector<std::string>{"ics-1-0-0"});
}

TEST(CompletionTracker, CompletedInTheOrderTheyBegan) {
  CompletionTracker c({{0}, {}, 5});
  const auto t0 = CompletionTracker::Clock::now();
  c.file_in("ics-9-0-0", 1, t0);
  c.file_in("ics-10-0-0", 1, t0);
  c.file_in("ics-2-0-0", 1, t0);
  EXPECT_EQ(c.take_complete(t0 + 5s), (std::vector<std::string>{"ics-9-0-0", "ics-10-0-0", "ics-2-0-0"}));
}

}  // namespace
}  // namespace tolteca::watch

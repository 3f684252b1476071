#pragma once
// A small producer -> worker pool -> consumer pipeline (internal to ingest).
// The producer runs on its own thread and emits items; `jobs` workers map
// items to results; the consumer runs on the calling thread, receives result
// chunks and is ticked periodically (for progress and time-based commits).
// An exception anywhere stops everything and is rethrown to the caller.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "ingest/errors.h"

namespace tolteca::ingest::detail {

template <typename T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : cap_(capacity) {}
  // Blocks while full; false when the channel was closed.
  bool push(T v) {
    std::unique_lock lk(m_);
    not_full_.wait(lk, [&] { return q_.size() < cap_ || closed_; });
    if (closed_) return false;
    q_.push_back(std::move(v));
    not_empty_.notify_one();
    return true;
  }
  // An item; nullopt when closed and drained, or after the timeout (timed_out = true).
  std::optional<T> pop(std::chrono::milliseconds timeout, bool& timed_out) {
    std::unique_lock lk(m_);
    timed_out = !not_empty_.wait_for(lk, timeout, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  std::optional<T> pop() {
    std::unique_lock lk(m_);
    not_empty_.wait(lk, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard lk(m_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  // Abort: drop what is queued as well.
  void abort() {
    std::lock_guard lk(m_);
    closed_ = true;
    q_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> q_;
  std::size_t cap_;
  bool closed_ = false;
};

template <typename In, typename Out>
struct PipelineSpec {
  int jobs = 1;
  std::size_t chunk = 256;
  // Calls emit(item) for every item; emit returns false when the pipeline is stopping.
  std::function<void(const std::function<bool(In&&)>& emit)> produce;
  std::function<Out(In&)> work;
  std::function<void(std::vector<Out>& chunk)> consume;
  std::function<void()> tick;  // called at least every tick_interval on the consumer thread
  std::chrono::milliseconds tick_interval{100};
};

template <typename In, typename Out>
void run_pipeline(const PipelineSpec<In, Out>& spec) {
  Channel<std::vector<In>> work_q(64);
  Channel<std::vector<Out>> done_q(64);
  std::atomic<bool> stop{false};
  std::mutex err_m;
  std::exception_ptr error;
  auto fail = [&](std::exception_ptr e) {
    {
      std::lock_guard lk(err_m);
      if (!error) error = e;
    }
    stop = true;
    work_q.abort();
    done_q.abort();
  };

  std::thread producer([&] {
    try {
      std::vector<In> buf;
      buf.reserve(spec.chunk);
      bool ok = true;
      spec.produce([&](In&& item) {
        if (stop || !ok) return false;
        buf.push_back(std::move(item));
        if (buf.size() >= spec.chunk) {
          ok = work_q.push(std::move(buf));
          buf = {};
          buf.reserve(spec.chunk);
        }
        return ok && !stop;
      });
      if (!buf.empty() && !stop) work_q.push(std::move(buf));
      work_q.close();
    } catch (...) {
      fail(std::current_exception());
    }
  });

  const int jobs = spec.jobs < 1 ? 1 : spec.jobs;
  std::atomic<int> active{jobs};
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(jobs));
  for (int i = 0; i < jobs; ++i) {
    // The system may refuse a thread (limits): then the run stops cleanly with a user-facing reason
    // instead of std::terminate on the joinable threads already started.
    try {
      workers.emplace_back([&] {
        try {
          while (auto in = work_q.pop()) {
            if (stop) break;
            std::vector<Out> out;
            out.reserve(in->size());
            for (auto& item : *in) out.push_back(spec.work(item));
            if (!done_q.push(std::move(out))) break;
          }
        } catch (...) {
          fail(std::current_exception());
        }
        if (--active == 0) done_q.close();
      });
    } catch (const std::system_error& e) {
      fail(std::make_exception_ptr(WorkerThreadRefused(i + 1, jobs, e.what())));
      if (active.fetch_sub(jobs - i) == jobs - i) done_q.close();
      break;
    }
  }

  try {
    auto last_tick = std::chrono::steady_clock::now();
    for (;;) {
      bool timed_out = false;
      auto chunk = done_q.pop(spec.tick_interval, timed_out);
      if (chunk) spec.consume(*chunk);
      auto now = std::chrono::steady_clock::now();
      if (spec.tick && now - last_tick >= spec.tick_interval) {
        spec.tick();
        last_tick = now;
      }
      if (!chunk && !timed_out) break;  // closed and drained
      if (stop) break;
    }
  } catch (...) {
    fail(std::current_exception());
  }
  producer.join();
  for (auto& t : workers) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace tolteca::ingest::detail

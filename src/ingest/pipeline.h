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

// One run of a pipeline (run_pipeline): the queues, the stop flag and the first error, shared by the
// producer thread, the workers and the consumer (the calling thread).
template <typename In, typename Out>
class PipelineRun {
 public:
  explicit PipelineRun(const PipelineSpec<In, Out>& spec) : spec_(spec) {}

  void run() {
    std::thread producer([this] { produce(); });
    std::vector<std::thread> workers = start_workers();
    try {
      consume();
    } catch (...) {
      fail(std::current_exception());
    }
    producer.join();
    for (auto& t : workers) t.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // The first error wins; everything stops.
  void fail(std::exception_ptr e) {
    {
      std::lock_guard lk(err_m_);
      if (!error_) error_ = e;
    }
    stop_ = true;
    work_q_.abort();
    done_q_.abort();
  }

  // The producer thread: items in chunks onto the work queue.
  void produce() {
    try {
      std::vector<In> buf;
      buf.reserve(spec_.chunk);
      bool ok = true;
      spec_.produce([&](In&& item) {
        if (stop_ || !ok) return false;
        buf.push_back(std::move(item));
        if (buf.size() >= spec_.chunk) {
          ok = work_q_.push(std::move(buf));
          buf = {};
          buf.reserve(spec_.chunk);
        }
        return ok && !stop_;
      });
      if (!buf.empty() && !stop_) work_q_.push(std::move(buf));
      work_q_.close();
    } catch (...) {
      fail(std::current_exception());
    }
  }

  // The worker threads. The system may refuse a thread (limits): then the run stops cleanly with a
  // user-facing reason instead of std::terminate on the joinable threads already started.
  std::vector<std::thread> start_workers() {
    const int jobs = spec_.jobs < 1 ? 1 : spec_.jobs;
    active_ = jobs;
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(jobs));
    for (int i = 0; i < jobs; ++i) {
      try {
        workers.emplace_back([this] { work(); });
      } catch (const std::system_error& e) {
        fail(std::make_exception_ptr(WorkerThreadRefused(i + 1, jobs, e.what())));
        if (active_.fetch_sub(jobs - i) == jobs - i) done_q_.close();
        break;
      }
    }
    return workers;
  }

  // One worker: chunks of items -> chunks of results; the last one out closes the done queue.
  void work() {
    try {
      while (auto in = work_q_.pop()) {
        if (stop_) break;
        std::vector<Out> out;
        out.reserve(in->size());
        for (auto& item : *in) out.push_back(spec_.work(item));
        if (!done_q_.push(std::move(out))) break;
      }
    } catch (...) {
      fail(std::current_exception());
    }
    if (--active_ == 0) done_q_.close();
  }

  // The consumer (calling thread): result chunks and ticks until the done queue is closed and drained.
  void consume() {
    auto last_tick = std::chrono::steady_clock::now();
    for (;;) {
      bool timed_out = false;
      auto chunk = done_q_.pop(spec_.tick_interval, timed_out);
      if (chunk) spec_.consume(*chunk);
      auto now = std::chrono::steady_clock::now();
      if (spec_.tick && now - last_tick >= spec_.tick_interval) {
        spec_.tick();
        last_tick = now;
      }
      if (!chunk && !timed_out) break;  // closed and drained
      if (stop_) break;
    }
  }

  const PipelineSpec<In, Out>& spec_;
  Channel<std::vector<In>> work_q_{64};
  Channel<std::vector<Out>> done_q_{64};
  std::atomic<bool> stop_{false};
  std::atomic<int> active_{0};
  std::mutex err_m_;
  std::exception_ptr error_;
};

template <typename In, typename Out>
void run_pipeline(const PipelineSpec<In, Out>& spec) {
  PipelineRun<In, Out>(spec).run();
}

}  // namespace tolteca::ingest::detail

#pragma once
// Counts the jobs and requests in flight, so that a stopping server can wait for them (SIGTERM:
// finish the write in flight, then close). enter() fails once close() was called.
#include <condition_variable>
#include <mutex>

namespace tolteca::server {

class JobGate {
 public:
  bool enter() {
    std::lock_guard<std::mutex> g(m_);
    if (closed_) return false;
    ++running_;
    return true;
  }
  void leave() {
    std::lock_guard<std::mutex> g(m_);
    if (--running_ == 0) cv_.notify_all();
  }
  // No new jobs from now on; returns once the running ones are done.
  void close_and_drain() {
    std::unique_lock<std::mutex> g(m_);
    closed_ = true;
    cv_.wait(g, [&] { return running_ == 0; });
  }
  bool closed() const {
    std::lock_guard<std::mutex> g(m_);
    return closed_;
  }

 private:
  mutable std::mutex m_;
  std::condition_variable cv_;
  int running_ = 0;
  bool closed_ = false;
};

// enter() on construction; leave() on destruction when it entered.
class JobTicket {
 public:
  explicit JobTicket(JobGate& g) : gate_(g), entered_(g.enter()) {}
  ~JobTicket() {
    if (entered_) gate_.leave();
  }
  explicit operator bool() const { return entered_; }
  JobTicket(const JobTicket&) = delete;
  JobTicket& operator=(const JobTicket&) = delete;

 private:
  JobGate& gate_;
  bool entered_;
};

}  // namespace tolteca::server

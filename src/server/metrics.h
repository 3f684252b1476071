#pragma once
// What the server counts for /api/v1/metrics: uptime, requests and jobs by outcome, latency
// quantiles over the most recent requests (a ring of the last 4096), jobs in flight.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tolteca::server {

class Metrics {
 public:
  Metrics();
  // An HTTP request arrived (counted at once, so a client reads its own request in the metrics).
  void http_arrived();
  // One finished HTTP request (status) or job (exit code) and how long it took.
  void http_request(int status, double seconds);
  // command: the job's command line without the program ("ingest directory …"); an ingest that
  // succeeded becomes the last ingest.
  void job(int exit_code, double seconds, const std::string& command = {});
  void job_started() { jobs_running_++; }
  void job_finished() { jobs_running_--; }
  std::int64_t jobs_running() const { return jobs_running_; }
  double uptime_seconds() const;
  // {"uptime_s", "http": {"requests", "errors_4xx", "errors_5xx", "latency_ms": {"p50","p90","p99","max"}},
  //  "jobs": {"done", "failed", "running", "latency_ms": {...}},
  //  "last_ingest": {"command", "finished_unix_s"} or null}
  nlohmann::json to_json() const;

 private:
  struct Ring {
    std::array<double, 4096> values{};
    std::size_t count = 0;
    void add(double v) { values[count++ % values.size()] = v; }
    nlohmann::json quantiles() const;
  };
  const std::chrono::steady_clock::time_point start_;
  mutable std::mutex mutex_;
  Ring http_latency_, job_latency_;
  std::int64_t http_requests_ = 0, http_4xx_ = 0, http_5xx_ = 0, jobs_done_ = 0, jobs_failed_ = 0;
  std::atomic<std::int64_t> jobs_running_{0};
  std::string last_ingest_command_;
  double last_ingest_unix_s_ = 0;
};

}  // namespace tolteca::server

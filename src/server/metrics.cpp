#include "server/metrics.h"

#include <algorithm>

namespace tolteca::server {

Metrics::Metrics() : start_(std::chrono::steady_clock::now()) {}

void Metrics::http_arrived() {
  std::lock_guard<std::mutex> guard(mutex_);
  http_requests_++;
}

void Metrics::http_request(int status, double seconds) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (status >= 400 && status < 500) http_4xx_++;
  if (status >= 500) http_5xx_++;
  http_latency_.add(seconds * 1000.0);
}

void Metrics::job(int exit_code, double seconds, const std::string& command) {
  std::lock_guard<std::mutex> guard(mutex_);
  jobs_done_++;
  if (exit_code == 0 && command.rfind("ingest ", 0) == 0) {
    last_ingest_command_ = command;
    last_ingest_unix_s_ =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  if (exit_code != 0) jobs_failed_++;
  job_latency_.add(seconds * 1000.0);
}

double Metrics::uptime_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

nlohmann::json Metrics::Ring::quantiles() const {
  const std::size_t n = std::min(count, values.size());
  if (n == 0) return {{"count", 0}, {"p50", nullptr}, {"p90", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  std::vector<double> v(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
  std::sort(v.begin(), v.end());
  auto q = [&](double p) { return v[std::min(n - 1, static_cast<std::size_t>(p * static_cast<double>(n)))]; };
  return {{"count", n}, {"p50", q(0.50)}, {"p90", q(0.90)}, {"p99", q(0.99)}, {"max", v.back()}};
}

nlohmann::json Metrics::to_json() const {
  std::lock_guard<std::mutex> guard(mutex_);
  nlohmann::json last_ingest = nullptr;
  if (!last_ingest_command_.empty())
    last_ingest = {{"command", last_ingest_command_}, {"finished_unix_s", last_ingest_unix_s_}};
  return {{"uptime_s", uptime_seconds()},
          {"last_ingest", last_ingest},
          {"http",
           {{"requests", http_requests_},
            {"errors_4xx", http_4xx_},
            {"errors_5xx", http_5xx_},
            {"latency_ms", http_latency_.quantiles()}}},
          {"jobs",
           {{"done", jobs_done_},
            {"failed", jobs_failed_},
            {"running", jobs_running_.load()},
            {"latency_ms", job_latency_.quantiles()}}}};
}

}  // namespace tolteca::server

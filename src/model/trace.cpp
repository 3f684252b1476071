// The tracer, see trace.h.
#include "model/trace.h"

#include <time.h>

#include <cstdio>

namespace tolteca {
namespace {

TraceOptions& options() {
  static TraceOptions o;
  return o;
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

void set_trace_options(const TraceOptions& o) { options() = o; }
const TraceOptions& trace_options() { return options(); }

Tracer::Tracer(const char* area, bool on) : area_(area), on_(on) {
  if (!on_) return;
  t_ = std::chrono::steady_clock::now();
  cpu_ms_ = thread_cpu_ms();
}

void Tracer::lap(const char* what, std::size_t n) {
  if (!on_) return;
  const auto now = std::chrono::steady_clock::now();
  const double c = thread_cpu_ms();
  std::fprintf(stderr, "[%s] %-18s %8.2f ms wall %8.2f ms cpu (%zu)\n", area_, what,
               std::chrono::duration<double, std::milli>(now - t_).count(), c - cpu_ms_, n);
  t_ = now;
  cpu_ms_ = c;
}

void Tracer::event(double ms, std::string_view text) const {
  if (!on_) return;
  const int len = static_cast<int>(text.size() < 400 ? text.size() : 400);
  std::fprintf(stderr, "[%s %7.2f ms] %.*s\n", area_, ms, len, text.data());
}

}  // namespace tolteca

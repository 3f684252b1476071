#pragma once
// The one tracer: timing lines on stderr for whoever diagnoses a slow run (ingest batch steps with wall
// and thread-CPU time; association-engine queries with their time). Off unless the program turns an
// area on: the library never reads the environment; tolteca_db sets TraceOptions at start from
// TOLTECA_INGEST_TRACE / TOLTECA_ASSOC_TRACE (cli/process_setup.cpp).
//
//   Tracer t("ingest", trace_options().ingest);
//   ...; t.lap("stage products", n);      // "[ingest] stage products   1.20 ms wall   1.10 ms cpu (n)"
//   t.event(ms, sql);                     // "[ingest 1.20 ms] <first 400 characters of sql>"
#include <chrono>
#include <cstddef>
#include <string_view>

namespace tolteca {

// Which areas trace (field by field; all off by default).
struct TraceOptions {
  // Every ingest batch step (load snapshot, stage/upsert products, append sources, …): wall and this
  // thread's CPU time. tolteca_db: TOLTECA_INGEST_TRACE set (any value).
  bool ingest = false;
  // Every query of the association engine with its time. tolteca_db: TOLTECA_ASSOC_TRACE set, non-empty
  // and not "0".
  bool assoc_sql = false;
};

// Process-wide; the program sets them once at start, before any worker thread runs.
void set_trace_options(const TraceOptions& options);
const TraceOptions& trace_options();

class Tracer {
 public:
  // `area` names the lines ("ingest", "assoc sql"); must outlive the tracer. `on` false: every call
  // is a no-op.
  Tracer(const char* area, bool on);

  bool on() const { return on_; }
  // Wall and thread-CPU time since the previous lap (or the construction), with a count.
  void lap(const char* what, std::size_t n = 0);
  // One timed thing: its time and (up to 400 characters of) its text.
  void event(double ms, std::string_view text) const;

 private:
  const char* area_;
  bool on_;
  std::chrono::steady_clock::time_point t_;
  double cpu_ms_ = 0;
};

}  // namespace tolteca

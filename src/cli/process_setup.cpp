// tolteca_db's start: header helper or options from the environment, see process_setup.h.
#include "cli/process_setup.h"

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "files/env.h"
#include "files/header_helper.h"
#include "files/header_process.h"
#include "files/options.h"
#include "model/trace.h"

namespace tolteca::cli {
namespace {

files::HeaderReadOptions header_options_from_environment() {
  files::HeaderReadOptions o;
  if (const char* v = std::getenv("TOLTECA_HEADER_ISOLATION"); v && std::string_view(v) == "0")
    o.isolate_netcdf4 = false;
  if (const char* v = std::getenv("TOLTECA_HEADER_TIMEOUT"); v && *v) {
    char* end = nullptr;
    double secs = std::strtod(v, &end);
    if (end && *end == '\0' && secs > 0)
      o.helper_timeout = std::chrono::milliseconds(static_cast<long long>(secs * 1000));
  }
  return o;
}

TraceOptions trace_options_from_environment() {
  TraceOptions o;
  o.ingest = std::getenv("TOLTECA_INGEST_TRACE") != nullptr;
  const char* a = std::getenv("TOLTECA_ASSOC_TRACE");
  o.assoc_sql = a && *a && *a != '0';
  return o;
}

}  // namespace

void setup_process(int argc, char** argv) {
  if (files::is_header_helper(argc, argv)) files::serve_header_helper(files::Env::Default());
  files::configure_header_reading(header_options_from_environment());
  set_trace_options(trace_options_from_environment());
}

}  // namespace tolteca::cli

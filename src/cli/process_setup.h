#pragma once
// What tolteca_db does first, before parsing its arguments.
namespace tolteca::cli {

// When this process was started as a netCDF header helper (files/header_helper.h), serves header
// reads and never returns. Otherwise fills the library's options from the environment:
// TOLTECA_HEADER_ISOLATION=0 (read netCDF-4 headers in this process), TOLTECA_HEADER_TIMEOUT=SECONDS
// (a positive number: the longest one netCDF-4 header read may take; default 120) — see
// files/options.h HeaderReadOptions; TOLTECA_INGEST_TRACE / TOLTECA_ASSOC_TRACE turn on the tracer's
// areas (model/trace.h TraceOptions).
void setup_process(int argc, char** argv);

}  // namespace tolteca::cli

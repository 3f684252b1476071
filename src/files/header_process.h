#pragma once
// netCDF-4 headers read in a helper process.
//
// Why: Debian's libhdf5 1.10 frees an uninitialised pointer on some corrupt netCDF-4 files (found by
// fuzzing, see docs/RELIABILITY.md). Inside the ingest process that is heap corruption that can kill the
// whole run, and the same file would kill the re-run. A helper process per worker thread reads those
// headers instead; if it dies or hangs, that one file gets a clear HeaderError and a fresh helper takes
// the next file. Separate processes also read netCDF-4 headers in parallel, which netCDF-C's one-lock
// rule (engineering-facts.md) forbids inside one process.
//
// The helper is this same executable, started with posix_spawn (fork+exec: the only safe way to start
// a process from a multi-threaded one; a plain fork() child deadlocked under ASan when another thread
// held the allocator's lock). An environment variable makes it serve before main() runs (see
// header_process.cpp), so every program that links the library — tolteca_db, tests, benchmarks — can
// be its own helper. The helper ignores SIGINT (Ctrl-C stops the parent, which then closes the
// socket) and leaves with _exit on end of input.
#include <sys/types.h>

#include <chrono>
#include <string>

#include "files/header_codec.h"

namespace tolteca::files {

class HeaderReaderProcess {
 public:
  // fault_for_tests: "crash-on:TEXT" or "hang-on:TEXT" makes the helper die (SIGSEGV) or hang when a
  // path contains TEXT; empty in production.
  explicit HeaderReaderProcess(std::chrono::milliseconds timeout = std::chrono::seconds(120),
                               std::string fault_for_tests = {});
  ~HeaderReaderProcess();
  HeaderReaderProcess(const HeaderReaderProcess&) = delete;
  HeaderReaderProcess& operator=(const HeaderReaderProcess&) = delete;

  // read_header(path) in the helper (started on first use). Never throws for a bad file. When the
  // helper dies, the file is retried once in a fresh helper (a crash can be the late effect of an
  // earlier file); a second death gives HeaderError "the netCDF/HDF5 library crashed reading this file
  // (…)". A read that takes longer than the timeout kills the helper: HeaderError "… did not finish …".
  // After any HeaderError the helper is retired (its heap may be damaged); the next read starts one.
  HeaderResult read(const std::string& path);

  pid_t pid() const { return pid_; }  // -1 when no helper runs
  int helpers_started() const { return started_; }

 private:
  void start();
  int stop(bool kill_first);  // returns the wait status
  enum class Exchange { ok, died, timed_out };
  Exchange exchange(const std::string& path, std::string& reply);

  std::chrono::milliseconds timeout_;
  std::string fault_;
  int sock_ = -1;
  pid_t pid_ = -1;
  int started_ = 0;
};

// What ingest calls: netCDF-3 (and anything that is not HDF5) is read in this process with
// read_header(); a file with the HDF5 signature goes to this thread's HeaderReaderProcess.
// Environment: TOLTECA_HEADER_ISOLATION=0 reads everything in-process; TOLTECA_HEADER_TIMEOUT=SECONDS
// (default 120) bounds one netCDF-4 header read.
HeaderResult read_header_isolated(const std::string& path);

}  // namespace tolteca::files

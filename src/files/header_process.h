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
// held the allocator's lock) with argv[1] = kHeaderHelperArg; the program's main() turns into the
// helper through the explicit entry point in files/header_helper.h. The helper's stdout is the
// parent's stderr (never the parent's --json stdout).
#include <sys/types.h>

#include <string>

#include "files/header_codec.h"
#include "files/options.h"
#include "files/unique_fd.h"

namespace tolteca::files {

class HeaderReaderProcess {
 public:
  // Uses options.helper_timeout and options.helper_args (files/options.h).
  explicit HeaderReaderProcess(HeaderReadOptions options = {});
  ~HeaderReaderProcess();
  HeaderReaderProcess(const HeaderReaderProcess&) = delete;
  HeaderReaderProcess& operator=(const HeaderReaderProcess&) = delete;

  // read_header(path) in the helper (started on first use). Never throws for a bad file. When the
  // helper dies, the file is retried once in a fresh helper (a crash can be the late effect of an
  // earlier file); a second death gives HeaderError "the netCDF/HDF5 library crashed reading this file
  // (…)". A read that takes longer than the timeout kills the helper: HeaderError "… did not finish …".
  // After any HeaderError the helper is retired (its heap may be damaged); the next read starts one.
  // Throws std::runtime_error when no helper can be started (socketpair or posix_spawn failed).
  HeaderResult read(const std::string& path);

  pid_t pid() const { return pid_; }  // -1 when no helper runs
  int helpers_started() const { return started_; }

 private:
  void start();
  int stop(bool kill_first);  // returns the wait status
  enum class Exchange { ok, died, timed_out };
  Exchange exchange(const std::string& path, std::string& reply);

  HeaderReadOptions options_;
  UniqueFd sock_;
  pid_t pid_ = -1;
  int started_ = 0;
};

// The options read_header_isolated() uses from now on (default: HeaderReadOptions{}). The program
// calls it once at start, before any worker thread reads a header (a thread's helper keeps the
// options it was started with).
void configure_header_reading(const HeaderReadOptions& options);
HeaderReadOptions header_read_options();

// What ingest calls: netCDF-3 (and anything that is not HDF5) is read in this process with
// read_header(); a file with the HDF5 signature goes to this thread's HeaderReaderProcess, unless the
// configured options say isolate_netcdf4 = false. When no helper can be started (process limit, no
// memory) the header is read in this process.
HeaderResult read_header_isolated(const std::string& path);

}  // namespace tolteca::files

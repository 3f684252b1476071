#pragma once
// One command run for an HTTP request: its output on a pipe the response reads as it comes (so
// nothing is built whole in memory), its error text in a memory file for the JSON error.
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "files/unique_fd.h"
#include "server/job.h"

namespace tolteca::server {

class HttpJob {
 public:
  // Starts argv (argv[0]: the program) on a thread of its own.
  // status: JobIo::server_status.
  HttpJob(const CommandRunner& runner, std::vector<std::string> argv, std::map<std::string, std::string> env,
          OpenServed open, std::function<nlohmann::json()> status);
  ~HttpJob();  // cancels and waits
  HttpJob(const HttpJob&) = delete;
  HttpJob& operator=(const HttpJob&) = delete;

  // Up to `max` bytes of output; "" at the end of the output; nullopt when none came within
  // timeout_s (the job goes on).
  std::optional<std::string> read(std::size_t max, double timeout_s);
  // Waits for the command and returns its exit code.
  int wait();
  // The command's error text, without the "tolteca_db: error: " prefix (after wait()).
  std::string error_text();
  void cancel() { cancelled_ = true; }
  // Stops reading: the command's further writes fail (EPIPE) and it is asked to stop.
  void abandon();

 private:
  files::UniqueFd out_read_, out_write_, err_;
  std::atomic<bool> cancelled_{false};
  JobIo io_;
  int code_ = 2;
  std::thread thread_;
  bool joined_ = false;
};

}  // namespace tolteca::server

#pragma once
// The console of a command a server runs on a caller's behalf (cli/console.h): the caller's
// descriptors and environment (a forwarded CLI command), or the HTTP response's (output to a
// descriptor the response reads, error text collected for the JSON error), plus the served
// registry and the caller's cancel.
#include <cstdio>
#include <ext/stdio_filebuf.h>
#include <istream>
#include <memory>
#include <ostream>
#include <sstream>

#include "cli/console.h"
#include "server/job.h"

namespace tolteca::cli {

class JobConsole final : public Console {
 public:
  explicit JobConsole(const server::JobIo& io);
  ~JobConsole() override;

  std::ostream& out() override { return out_; }
  std::ostream& err() override { return err_; }
  std::istream& in() override { return in_; }
  std::FILE* err_file() override { return err_file_; }
  int out_fd() const override { return io_.out_fd; }
  int err_fd() const override { return io_.err_fd; }
  int in_fd() const override { return io_.in_fd; }
  std::optional<std::string> env(const std::string& name) const override;
  bool cancelled() const override { return io_.cancelled && io_.cancelled->load(); }
  const RegistryProvider* registry_provider() const override { return &provider_; }
  nlohmann::json server_status() const override {
    return io_.server_status ? io_.server_status() : nlohmann::json::object();
  }
  // Flushes every stream (before the exit code goes back).
  void flush();

 private:
  const server::JobIo& io_;
  // Duplicates of the caller's descriptors, owned by the buffers (closed with them).
  __gnu_cxx::stdio_filebuf<char> out_buf_, err_buf_, in_buf_;
  std::ostream out_, err_;
  std::istream in_;
  std::FILE* err_file_;
  RegistryProvider provider_;
};

// Runs argv (argv[0]: the program) with a JobConsole for io: the CLI's server::CommandRunner.
int run_job(const std::vector<std::string>& argv, const server::JobIo& io);

}  // namespace tolteca::cli

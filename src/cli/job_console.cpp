#include "cli/job_console.h"

#include <fcntl.h>
#include <unistd.h>

#include "cli/run.h"

namespace tolteca::cli {
namespace {

// A private duplicate (the buffer closes it); /dev/null when the job has no such descriptor.
int dup_or_null(int fd, int flags) {
  const int d = fd >= 0 ? ::fcntl(fd, F_DUPFD_CLOEXEC, 3) : ::open("/dev/null", flags | O_CLOEXEC);
  return d;
}

}  // namespace

JobConsole::JobConsole(const server::JobIo& io)
    : io_(io),
      out_buf_(dup_or_null(io.out_fd, O_WRONLY), std::ios::out, 1 << 16),
      err_buf_(dup_or_null(io.err_fd, O_WRONLY), std::ios::out, 1 << 12),
      in_buf_(dup_or_null(io.in_fd, O_RDONLY), std::ios::in, 1 << 12),
      out_(&out_buf_),
      err_(&err_buf_),
      in_(&in_buf_),
      err_file_(::fdopen(dup_or_null(io.err_fd, O_WRONLY), "w")) {
  err_ << std::unitbuf;  // error lines and notes go out as written, in order with the progress display
  provider_ = [this](const std::string& url, storage::OpenMode mode) { return io_.open(url, mode); };
}

JobConsole::~JobConsole() {
  flush();
  if (err_file_) std::fclose(err_file_);
}

std::optional<std::string> JobConsole::env(const std::string& name) const {
  auto it = io_.env.find(name);
  if (it == io_.env.end()) return std::nullopt;
  return it->second;
}

void JobConsole::flush() {
  out_.flush();
  err_.flush();
  if (err_file_) std::fflush(err_file_);
}

int run_job(const std::vector<std::string>& argv, const server::JobIo& io) {
  JobConsole console(io);
  ScopedConsole scope(console);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const int code = run_command_line(static_cast<int>(args.size()), cargv.data());
  console.flush();
  return code;
}

}  // namespace tolteca::cli

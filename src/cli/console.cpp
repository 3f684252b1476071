#include "cli/console.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace tolteca::cli {
namespace {

class ProcessConsole final : public Console {
 public:
  std::ostream& out() override { return std::cout; }
  std::ostream& err() override { return std::cerr; }
  std::istream& in() override { return std::cin; }
  std::FILE* err_file() override { return stderr; }
  int out_fd() const override { return STDOUT_FILENO; }
  int err_fd() const override { return STDERR_FILENO; }
  int in_fd() const override { return STDIN_FILENO; }
  std::optional<std::string> env(const std::string& name) const override {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  }
};

thread_local Console* t_console = nullptr;

}  // namespace

Console& process_console() {
  static ProcessConsole c;
  return c;
}

Console& console() { return t_console ? *t_console : process_console(); }

ScopedConsole::ScopedConsole(Console& c) : previous_(t_console) { t_console = &c; }
ScopedConsole::~ScopedConsole() { t_console = previous_; }

void check_cancelled() {
  if (console().cancelled()) throw Cancelled();
}

}  // namespace tolteca::cli

#pragma once
// Where a command's input and output go, and what environment it sees. A command never touches
// std::cout, std::cerr, stdin, getenv or isatty itself: it asks the console of its thread. In a
// plain CLI run that is the process's own (fds 0/1/2, the environment). A server running a
// command on a caller's behalf (src/server) installs a console made of the caller's descriptors
// and environment for the job's thread (ScopedConsole), so output, progress bars, terminal width
// and colour are the caller's, byte for byte as if it had run the command itself.
#include <atomic>
#include <functional>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "storage/options.h"
#include "storage/registry.h"

namespace tolteca::cli {

// Opens the registry a command asks for when something else owns it (a server: a handle on its
// open registry, writes serialised). Returns nullptr to let the command open the URL itself.
using RegistryProvider =
    std::function<std::unique_ptr<storage::Registry>(const std::string& url, storage::OpenMode mode)>;

class Console {
 public:
  virtual ~Console() = default;
  virtual std::ostream& out() = 0;
  virtual std::ostream& err() = 0;
  virtual std::istream& in() = 0;
  // For C stdio writers (the progress display): the same stream as err().
  virtual std::FILE* err_file() = 0;
  // Descriptors, for isatty/ioctl only (-1: none, e.g. an HTTP response).
  virtual int out_fd() const = 0;
  virtual int err_fd() const = 0;
  virtual int in_fd() const = 0;
  // The environment variable as the command's caller has it.
  virtual std::optional<std::string> env(const std::string& name) const = 0;
  // True once the caller asked to stop (Ctrl-C on a forwarded command).
  virtual bool cancelled() const { return false; }
  // When set, open_registry (cli/common.h) asks it first.
  virtual const RegistryProvider* registry_provider() const { return nullptr; }
  // Run by a server: what its companions are doing ({"watch": {…}}); else an empty object.
  virtual nlohmann::json server_status() const { return nlohmann::json::object(); }
};

// The process's console: std::cout/std::cerr/std::cin, fds 0/1/2, getenv.
Console& process_console();
// The console of this thread: the one a ScopedConsole installed, else the process's.
Console& console();
inline std::ostream& out() { return console().out(); }
inline std::ostream& err() { return console().err(); }
inline std::optional<std::string> env(const std::string& name) { return console().env(name); }

// Installs a console for this thread while it lives.
class ScopedConsole {
 public:
  explicit ScopedConsole(Console& c);
  ~ScopedConsole();
  ScopedConsole(const ScopedConsole&) = delete;
  ScopedConsole& operator=(const ScopedConsole&) = delete;

 private:
  Console* previous_;
};

// Thrown by a command when console().cancelled() (the caller's Ctrl-C): exit code 130.
struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};
// Throws Cancelled when the caller asked to stop.
void check_cancelled();

}  // namespace tolteca::cli

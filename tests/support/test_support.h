#pragma once
// Helpers shared by the tests: temporary directories and running the real
// tolteca_db binary.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tolteca::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the tolteca_db binary with the arguments (no shell), capturing output.
RunResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
// Starts tolteca_db with the arguments (no shell) and returns its pid at once: stdin from /dev/null,
// stdout and stderr appended to log_path ("/dev/null" drops them).
pid_t spawn_cli(const std::vector<std::string>& args, const std::string& log_path);
// Waits for a process; returns its exit code, or 128 + signal.
int wait_cli(pid_t pid);
// Without waiting: the exit code (or 128 + signal) once the process has ended (it is then reaped),
// else nullopt.
std::optional<int> try_wait_cli(pid_t pid);
// run_cli as the unprivileged user nobody (uid/gid 65534, no groups) through setpriv(1), so a test
// running as root sees what an ordinary user sees (a mode-000 file is unreadable). nullopt when this
// process is not root or setpriv is missing. Files the command needs must be reachable by nobody.
std::optional<RunResult> run_cli_as_nobody(const std::vector<std::string>& args);
// Path of the tolteca_db binary under test.
std::string cli_binary();

// A whole file's bytes ("" when it cannot be read).
std::string read_bytes(const std::filesystem::path& p);
// Writes the bytes (binary, truncating), creating parent directories.
void write_bytes(const std::filesystem::path& p, const std::string& bytes);

}  // namespace tolteca::test

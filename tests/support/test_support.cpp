#include "support/test_support.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace tolteca::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("tolteca_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may chmod 000 files; restore permissions so removal works.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::string cli_binary() { return TOLTECA_DB_BINARY; }

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

namespace {

// Starts argv_s[0] (an absolute path) with the arguments, no shell: stdin from /dev/null; stdout to
// out_path and stderr to err_path (both truncated), or both appended to out_path when err_path is
// empty. The environment is this process's without TOLTECA_DB_URL (tests pass --db), plus extra_env.
pid_t spawn_program(std::vector<std::string> argv_s, const std::vector<std::string>& extra_env,
                    const std::string& out_path, const std::string& err_path) {
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("TOLTECA_DB_URL=", 0) == 0) continue;
    // A variable extra_env sets replaces this process's (getenv finds the first of two).
    const std::string key = kv.substr(0, kv.find('=') + 1);
    bool replaced = false;
    for (const auto& x : extra_env) replaced = replaced || x.rfind(key, 0) == 0;
    if (!replaced) env_s.push_back(kv);
  }
  env_s.insert(env_s.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (err_path.empty()) {
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot spawn " + argv_s[0]);
  return pid;
}

// Runs argv_s[0] (an absolute path) with the arguments to the end, capturing output.
RunResult run_program(std::vector<std::string> argv_s, const std::vector<std::string>& env) {
  TempDir tmp;
  const std::string out_path = (tmp / "out").string(), err_path = (tmp / "err").string();
  RunResult r;
  r.exit_code = wait_cli(spawn_program(std::move(argv_s), env, out_path, err_path));
  r.out = read_bytes(out_path);
  r.err = read_bytes(err_path);
  return r;
}

}  // namespace

pid_t spawn_cli(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_program(std::move(argv), {}, log_path, "");
}

namespace {
int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }
}  // namespace

int wait_cli(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  return exit_code(status);
}

std::optional<int> try_wait_cli(pid_t pid) {
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, WNOHANG)) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  if (r == 0) return std::nullopt;
  return exit_code(status);
}

RunResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  std::vector<std::string> argv{cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(std::move(argv), env);
}

std::optional<RunResult> run_cli_as_nobody(const std::vector<std::string>& args) {
  const char* setpriv = "/usr/bin/setpriv";
  if (::geteuid() != 0 || ::access(setpriv, X_OK) != 0) return std::nullopt;
  std::vector<std::string> argv{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--", cli_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(std::move(argv), {});
}

}  // namespace tolteca::test

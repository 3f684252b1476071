#include "server/serve_fixture.h"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>

namespace tolteca::test {

ServeProcess::ServeProcess(const std::string& db, const std::vector<std::string>& extra, const std::string& log)
    : db_(db) {
  std::vector<std::string> args = {"serve", "--db", db};
  if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = spawn_cli(args, log);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = server::read_server_file(db_);
    if (info && info->pid == pid_) {
      info_ = info;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it stopped (an error): nothing to wait for
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) stop(SIGTERM);
}

httplib::Client ServeProcess::http() const {
  httplib::Client c("http://" + info_->http);
  c.set_read_timeout(120, 0);
  return c;
}

int ServeProcess::stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string make_night_registry(const TempDir& dir, double scale, int nights) {
  const std::string data = (dir / "data_lmt").string();
  const std::string db = (dir / "tolteca.duckdb").string();
  auto sim = run_cli({"simulate", data, "--nights", std::to_string(nights), "--scale", std::to_string(scale)});
  EXPECT_EQ(sim.exit_code, 0) << sim.err;
  auto init = run_cli({"db", "init", "--db", db, "--location", "LMT", "--data-root", data});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  auto ingest = run_cli({"ingest", "directory", data, "--db", db, "--location", "LMT", "-q"});
  EXPECT_EQ(ingest.exit_code, 0) << ingest.err;
  return db;
}

std::string registry_view(const std::string& db) {
  std::string view;
  for (const auto& q : {"obs", "groups"}) {
    auto r = run_cli({"query", q, "--db", db, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    view += r.out;
  }
  return view;
}

}  // namespace tolteca::test

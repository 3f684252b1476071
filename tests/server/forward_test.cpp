// Every CLI command keeps working while a server holds the database: the same output and exit code
// as without one (the command runs in the server with the caller's descriptors).
#include <gtest/gtest.h>

#include <filesystem>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

// JSON output without what differs from run to run (elapsed times, rates, the database size).
std::string without_timings(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return text;
  for (const char* key : {"elapsed_s", "files_per_s", "db_size", "elapsed"}) j.erase(key);
  return j.dump(2);
}

// Commands whose whole output is deterministic (no sizes or times that change between runs).
std::vector<std::vector<std::string>> read_commands(const std::string& db) {
  return {
      {"query", "obs", "--db", db},
      {"query", "obs", "--db", db, "--json"},
      {"query", "obs", "latest", "--db", db, "--files"},
      {"query", "obs", "--db", db, "--format", "csv", "--newest", "--limit", "5"},
      {"query", "files", "--db", db},
      {"query", "groups", "--db", db, "--json"},
      {"query", "provenance", "latest", "--db", db, "--json"},
      {"db", "location", "list", "--db", db},
      {"query", "obs", "no-such-spec[", "--db", db},        // a user error: exit 1, same message
      {"query", "obs", "--db", db, "--limit", "abc"},        // a parse error
      {"query", "obs", "--db", db, "--read-only", "--json"}  // --read-only is honoured
  };
}

TEST(ServeForward, ReadCommandsAnswerExactlyAsWithoutAServer) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  std::vector<RunResult> direct;
  for (const auto& c : read_commands(db)) direct.push_back(run_cli(c));
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  const auto commands = read_commands(db);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto served = run_cli(commands[i]);
    EXPECT_EQ(served.exit_code, direct[i].exit_code) << commands[i][0] << " " << commands[i][1] << " #" << i;
    EXPECT_EQ(served.out, direct[i].out) << "#" << i;
    EXPECT_EQ(served.err, direct[i].err) << "#" << i;
  }
  EXPECT_EQ(server.stop(), 0);
}

TEST(ServeForward, WriteCommandsRunInTheServerAndEndInTheSameRegistry) {
  // The same sequence of writes, once directly and once through a server: same outputs, same registry.
  auto sequence = [](const std::string& db, const std::string& data2) -> std::vector<std::vector<std::string>> {
    return {{"db", "location", "add", "LMT2", data2, "--db", db},
            {"ingest", "directory", data2, "--db", db, "--location", "LMT2", "--json", "-q"},
            {"assoc", "generate", "--db", db, "--json"},
            {"query", "stats", "--db", db, "--json"}};
  };
  std::vector<std::string> direct_out, served_out;
  std::string direct_obs, served_obs;
  for (int served = 0; served < 2; ++served) {
    TempDir dir;
    const std::string db = make_night_registry(dir);
    const std::string data2 = (dir / "data2").string();
    ASSERT_EQ(run_cli({"simulate", data2, "--nights", "1", "--scale", "0.1", "--start-date", "2024-12-01",
                       "--ics-start-obsnum", "19000", "--tcs-start-obsnum", "140000"}).exit_code, 0);
    std::unique_ptr<ServeProcess> server;
    if (served) {
      server = std::make_unique<ServeProcess>(db);
      ASSERT_TRUE(server->ready());
    }
    for (const auto& c : sequence(db, data2)) {
      auto r = run_cli(c);
      EXPECT_EQ(r.exit_code, 0) << c[0] << " " << c[1] << ": " << r.err;
      // Paths and sizes differ between the two temporary directories: compare what does not.
      std::string text = r.out;
      for (std::size_t p; (p = text.find(dir.str())) != std::string::npos;) text.replace(p, dir.str().size(), "DIR");
      (served ? served_out : direct_out).push_back(without_timings(text));
    }
    if (server) {
      EXPECT_EQ(server->stop(), 0);
    }
    (served ? served_obs : direct_obs) = run_cli({"query", "obs", "--db", db, "--json"}).out;
  }
  ASSERT_EQ(direct_out.size(), served_out.size());
  for (std::size_t i = 0; i < direct_out.size(); ++i) EXPECT_EQ(served_out[i], direct_out[i]) << "step " << i;
  EXPECT_EQ(served_obs, direct_obs);
}

TEST(ServeForward, ASecondServerOnTheSameDatabaseIsRefused) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  auto r = run_cli({"serve", "--db", db, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already serves"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::to_string(server.pid())), std::string::npos) << r.err;
}

TEST(ServeForward, ListeningBeyondLoopbackNeedsAnExplicitFlagAndWarns) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  auto r = run_cli({"serve", "--db", db, "--listen", "0.0.0.0:0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--allow-remote"), std::string::npos) << r.err;
  const std::string log = (dir / "serve.log").string();
  ServeProcess server(db, {"--listen", "0.0.0.0:0", "--allow-remote"}, log);
  ASSERT_TRUE(server.ready());
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(read_bytes(log).find("warning: the HTTP API listens beyond this machine"), std::string::npos);
}

TEST(ServeForward, DashServeIsTheSeedsNameForServe) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  const pid_t pid = spawn_cli({"dash", "serve", "-d", db, "-h", "127.0.0.1", "-p", "0"}, "/dev/null");
  std::optional<server::ServerInfo> info;
  for (int i = 0; i < 3000 && !info; ++i) {
    info = server::read_server_file(db);
    if (!info) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->pid, pid);
  EXPECT_EQ(info->http.rfind("127.0.0.1:", 0), 0u) << info->http;
  auto q = run_cli({"query", "stats", "--db", db, "--json"});
  EXPECT_EQ(q.exit_code, 0) << q.err;
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_cli(pid), 0);
  EXPECT_FALSE(std::filesystem::exists(server::server_file_path(db)));
}

}  // namespace
}  // namespace tolteca::test

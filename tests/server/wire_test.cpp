// The pieces under serve: framed messages with descriptors over a Unix socket, the server file and
// its stale detection, the metrics' quantiles, the job gate.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "server/job_gate.h"
#include "server/metrics.h"
#include "server/server_file.h"
#include "server/wire.h"
#include "support/test_support.h"

namespace tolteca::test {
namespace {

TEST(ServerWire, MessagesAndDescriptorsCrossTheSocket) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  files::UniqueFd a(sv[0]), b(sv[1]);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  files::UniqueFd pr(p[0]), pw(p[1]);
  const nlohmann::json body = {{"type", "run"}, {"argv", {"tolteca_db", "query", "obs", std::string(100000, 'x')}}};
  std::thread sender([&] { server::send_message(a.get(), body, {pw.get()}); });
  auto m = server::receive_message(b.get());
  sender.join();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->body, body);
  ASSERT_EQ(m->fds.size(), 1u);
  // The descriptor received writes into the same pipe.
  ASSERT_EQ(::write(m->fds[0].get(), "hi", 2), 2);
  char buf[2];
  ASSERT_EQ(::read(pr.get(), buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "hi");
  // End of stream between messages: nullopt; inside one: an error.
  a.reset();
  EXPECT_FALSE(server::receive_message(b.get()).has_value());
}

TEST(ServerWire, ATruncatedOrHugeMessageIsAnError) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  files::UniqueFd a(sv[0]), b(sv[1]);
  const char huge[4] = {0x7f, 0, 0, 0};
  ASSERT_EQ(::write(a.get(), huge, 4), 4);
  EXPECT_THROW(server::receive_message(b.get()), std::runtime_error);
  int sv2[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv2), 0);
  files::UniqueFd c(sv2[0]), d(sv2[1]);
  const char partial[6] = {0, 0, 0, 10, '{', '"'};
  ASSERT_EQ(::write(c.get(), partial, 6), 6);
  c.reset();
  EXPECT_THROW(server::receive_message(d.get()), std::runtime_error);
}

TEST(ServerFile, AServerFileOfADeadProcessIsStaleAndRemoved) {
  TempDir dir;
  const std::string db = (dir / "r.duckdb").string();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid that is dead now
  server::ServerInfo info;
  info.pid = child;
  info.socket = (dir / "r.duckdb.sock").string();
  info.database = db;
  write_bytes(info.socket, "");  // stands for the dead server's socket
  server::write_server_file(db, info);
  ASSERT_TRUE(server::read_server_file(db).has_value());
  EXPECT_FALSE(server::find_live_server(db).has_value());
  EXPECT_FALSE(std::filesystem::exists(server::server_file_path(db)));
  EXPECT_FALSE(std::filesystem::exists(info.socket));
  // A live one (this process) is found and left alone.
  info.pid = ::getpid();
  server::write_server_file(db, info);
  auto live = server::find_live_server(db);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->pid, ::getpid());
  EXPECT_EQ(live->protocol, server::kProtocolVersion);
  server::remove_server_file(db, ::getpid() + 1);  // not ours: kept
  EXPECT_TRUE(std::filesystem::exists(server::server_file_path(db)));
  server::remove_server_file(db, ::getpid());
  EXPECT_FALSE(std::filesystem::exists(server::server_file_path(db)));
}

TEST(ServerFile, ASocketPathTooLongForAUnixAddressMovesToTheRuntimeDirectory) {
  EXPECT_EQ(server::default_socket_path("/data/r.duckdb"), "/data/r.duckdb.sock");
  const std::string deep = "/" + std::string(200, 'd') + "/r.duckdb";
  const auto moved = server::default_socket_path(deep);
  EXPECT_LT(moved.size(), 108u);
  EXPECT_NE(moved.find("tolteca_db-"), std::string::npos);
  EXPECT_EQ(moved, server::default_socket_path(deep));  // stable: the same database, the same socket
}

TEST(ServerMetrics, QuantilesOfTheRecentRequests) {
  server::Metrics m;
  for (int i = 1; i <= 100; ++i) {
    m.http_arrived();
    m.http_request(i <= 98 ? 200 : 404, i / 1000.0);
  }
  auto j = m.to_json();
  EXPECT_EQ(j["http"]["requests"], 100);
  EXPECT_EQ(j["http"]["errors_4xx"], 2);
  EXPECT_DOUBLE_EQ(j["http"]["latency_ms"]["p50"].get<double>(), 51.0);
  EXPECT_DOUBLE_EQ(j["http"]["latency_ms"]["max"].get<double>(), 100.0);
}

TEST(ServerJobGate, ClosingWaitsForTheRunningAndRefusesNewOnes) {
  server::JobGate gate;
  std::atomic<bool> finished{false};
  auto ticket = std::make_unique<server::JobTicket>(gate);
  ASSERT_TRUE(*ticket);
  std::thread closer([&] {
    gate.close_and_drain();
    finished = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(finished);
  for (int i = 0; i < 1000 && !gate.closed(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_FALSE(server::JobTicket(gate));
  ticket.reset();
  closer.join();
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace tolteca::test

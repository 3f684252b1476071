#pragma once
// The HTTP JSON API of `serve` (docs/SERVER.md lists every endpoint). Reads are the CLI's queries,
// run by the same code with --json, so the JSON shapes are those of docs/OUTPUT.md:
//   GET /api/v1/health | metrics
//   GET /api/v1/obs | files | groups | provenance | stats   ?spec=…&<option>=<value>…
//   GET /api/v1/export?what=obs&format=csv|json|parquet&…    (a streamed download)
//   POST /api/v1/command {"argv": ["ingest", "directory", …]} (only with serve --token FILE, and
//        then only with "Authorization: Bearer <token>")
// Output is streamed as the command writes it, never built whole in memory. A bad request gets a
// 4xx and {"error": "...", "parameter": "..."} naming the parameter when the message does.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>
#include <thread>

#include "server/job.h"
#include "server/job_gate.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/registry_host.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace tolteca::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8765;  // 0: any free port (bind() returns it)
  // Empty: no write endpoint. Else POST /api/v1/command needs "Authorization: Bearer <token>".
  std::string token;
  // Longest a request may wait for its first byte of output (then it is cancelled: 504), and
  // the socket read/write timeouts.
  double request_timeout_s = 60;
  // Largest request accepted (headers + body): beyond it, 413.
  std::size_t max_request_bytes = 1 << 20;
};

class HttpApi {
 public:
  HttpApi(const HttpOptions& options, CommandRunner runner, RegistryHost& host, JobGate& gate, Metrics& metrics,
          ServerLog& log);
  ~HttpApi();
  // Binds host:port; returns the port (throws std::runtime_error when it cannot bind).
  int bind();
  void start();
  void stop();

 private:
  void routes();
  // Runs argv and answers with its output as it comes (content_type), or a JSON error.
  void stream_command(std::vector<std::string> argv, const httplib::Request& req, httplib::Response& res,
                      const std::string& content_type);
  void get_query(const httplib::Request& req, httplib::Response& res);
  void get_export(const httplib::Request& req, httplib::Response& res);
  void post_command(const httplib::Request& req, httplib::Response& res);
  void get_health(httplib::Response& res);
  void get_metrics(httplib::Response& res);
  nlohmann::json resident_bytes();
  nlohmann::json registry_memory();
  // The environment and the registry of a job for an HTTP request.
  std::map<std::string, std::string> job_env() const;
  OpenServed job_open();
  HttpOptions options_;
  CommandRunner runner_;
  RegistryHost& host_;
  JobGate& gate_;
  Metrics& metrics_;
  ServerLog& log_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
};

}  // namespace tolteca::server

#include "server/http_api.h"

#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include "server/http_job.h"

namespace tolteca::server {
namespace {

constexpr std::size_t kChunk = 1 << 16;
const std::set<std::string> kQueries = {"obs", "files", "groups", "provenance", "stats"};
// Parameters the server sets itself, or that would write on the server's disk.
const std::set<std::string> kReserved = {"db", "url", "wait", "read-only", "output", "force", "json", "quiet", "q"};

void json_error(httplib::Response& res, int status, const std::string& message, const std::string& parameter = {}) {
  nlohmann::json j = {{"error", message}, {"status", status}};
  if (!parameter.empty()) j["parameter"] = parameter;
  res.status = status;
  res.set_content(j.dump() + "\n", "application/json");
}

// The parameter a command-line error names ("--limit: ..." -> "limit"), among those given.
std::string named_parameter(const std::string& message, const httplib::Params& params) {
  std::smatch m;
  std::string rest = message;
  static const std::regex flag(R"(--([A-Za-z0-9][A-Za-z0-9-]*))");
  while (std::regex_search(rest, m, flag)) {
    if (params.count(m[1].str())) return m[1].str();
    rest = m.suffix();
  }
  for (const auto& [k, v] : params)
    if (k == "spec" && message.find(v) != std::string::npos) return k;
  return {};
}

int status_for_exit(int code) { return code == 1 ? 400 : code == 130 ? 503 : 500; }

bool is_option_name(const std::string& k) {
  return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

// The query parameters as the command's arguments: `spec` values positional, the others
// `--key=value` (`skip` is taken by the endpoint itself). Returns the first parameter that is not
// an option name or is reserved (nothing appended after it matters then).
std::optional<std::string> append_parameters(const httplib::Params& params, const std::string& skip,
                                             std::vector<std::string>& argv) {
  for (const auto& [k, v] : params) {
    if (k == "spec") {
      argv.push_back(v);
      continue;
    }
    if (!skip.empty() && k == skip) continue;
    if (!is_option_name(k) || kReserved.count(k)) return k;
    argv.push_back("--" + k + "=" + v);
  }
  return std::nullopt;
}

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

}  // namespace

HttpApi::HttpApi(const HttpOptions& options, CommandRunner runner, RegistryHost& host, JobGate& gate, Metrics& metrics,
                 ServerLog& log)
    : options_(options), runner_(std::move(runner)), host_(host), gate_(gate), metrics_(metrics), log_(log),
      http_(std::make_unique<httplib::Server>()) {
  http_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  const auto secs = static_cast<time_t>(options_.request_timeout_s);
  http_->set_read_timeout(secs, 0);
  http_->set_write_timeout(secs, 0);
  http_->set_payload_max_length(options_.max_request_bytes);
  http_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    log_.write({{"event", "http"}, {"method", req.method}, {"path", req.path}, {"status", res.status},
                {"remote", req.remote_addr}});
  });
  routes();
}

HttpApi::~HttpApi() { stop(); }

int HttpApi::bind() {
  if (options_.port == 0) {
    const int port = http_->bind_to_any_port(options_.host);
    if (port <= 0) throw std::runtime_error("cannot listen on " + options_.host + ": no free port");
    return port;
  }
  if (!http_->bind_to_port(options_.host, options_.port))
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use, or not an address of this machine)");
  return options_.port;
}

void HttpApi::start() { thread_ = std::thread([this] { http_->listen_after_bind(); }); }

void HttpApi::stop() {
  if (!thread_.joinable()) return;
  http_->stop();
  thread_.join();
}

std::map<std::string, std::string> HttpApi::job_env() const {
  return {{"TOLTECA_DB_URL", "duckdb:///" + host_.database()}};
}

OpenServed HttpApi::job_open() {
  return [this](const std::string& url, storage::OpenMode mode) { return host_.open(url, mode); };
}

void HttpApi::routes() {
  auto& s = *http_;
  s.Get("/api/v1/health", [this](const httplib::Request&, httplib::Response& res) { get_health(res); });
  s.Get("/api/v1/metrics", [this](const httplib::Request&, httplib::Response& res) { get_metrics(res); });
  s.Get(R"(/api/v1/(obs|files|groups|provenance|stats))",
        [this](const httplib::Request& req, httplib::Response& res) { get_query(req, res); });
  s.Get("/api/v1/export", [this](const httplib::Request& req, httplib::Response& res) { get_export(req, res); });
  s.Post("/api/v1/command", [this](const httplib::Request& req, httplib::Response& res) { post_command(req, res); });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404)
      return json_error(res, 404, "no such endpoint: " + req.path +
                                      " (GET /api/v1/health, metrics, obs, files, groups, provenance, stats, export;"
                                      " POST /api/v1/command)");
    if (res.status == 413) return json_error(res, 413, "request too large");
    json_error(res, res.status, "request failed");
  });
}

void HttpApi::stream_command(std::vector<std::string> argv, const httplib::Request& req, httplib::Response& res,
                             const std::string& content_type) {
  const auto t0 = std::chrono::steady_clock::now();
  metrics_.http_arrived();
  auto ticket = std::make_shared<JobTicket>(gate_);
  if (!*ticket) return json_error(res, 503, "the server is stopping");
  auto job = std::make_shared<HttpJob>(runner_, std::move(argv), job_env(), job_open(), [this] { return host_.companion_status(); });
  auto first = job->read(kChunk, options_.request_timeout_s);
  if (!first) {
    job->abandon();
    return json_error(res, 504, "no answer within the request time limit (" +
                                    std::to_string(static_cast<int>(options_.request_timeout_s)) + " s)");
  }
  if (first->empty()) {
    const int code = job->wait();
    metrics_.http_request(code == 0 ? 200 : status_for_exit(code),
                          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (code != 0) {
      const auto message = job->error_text();
      return json_error(res, status_for_exit(code), message, named_parameter(message, req.params));
    }
    res.set_content("", content_type);
    return;
  }
  auto pending = std::make_shared<std::string>(std::move(*first));
  res.set_chunked_content_provider(
      content_type,
      [job, pending, this](size_t, httplib::DataSink& sink) {
        if (!pending->empty()) {
          if (!sink.write(pending->data(), pending->size())) return false;
          pending->clear();
          return true;
        }
        auto more = job->read(kChunk, -1);
        if (!more || more->empty()) {
          sink.done();
          return true;
        }
        return sink.write(more->data(), more->size());
      },
      [job, ticket, t0, this](bool) {
        job->abandon();
        const int code = job->wait();
        metrics_.http_request(code == 0 ? 200 : status_for_exit(code),
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      });
}

void HttpApi::get_health(httplib::Response& res) {
  nlohmann::json j = {{"status", "ok"}, {"database", host_.database()}, {"pid", static_cast<long>(::getpid())},
                      {"uptime_s", metrics_.uptime_seconds()}};
  const nlohmann::json companions = host_.companion_status();
  for (const auto& [name, status] : companions.items()) j[name] = status;
  res.set_content(j.dump() + "\n", "application/json");
}

// The process's resident set (/proc/self/statm), bytes; null when it cannot be read.
nlohmann::json HttpApi::resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return nullptr;
  return resident * static_cast<long long>(::sysconf(_SC_PAGESIZE));
}

// What the registry's backend holds in memory (its caches), bytes; null when it does not say.
nlohmann::json HttpApi::registry_memory() {
  try {
    auto reader = host_.open(host_.database(), storage::OpenMode::ReadOnly);
    if (auto bytes = reader->admin().memory_bytes()) return *bytes;
  } catch (const std::exception&) {
    // A registry that cannot be read now: the metric is left out, the others still answer.
  }
  return nullptr;
}

void HttpApi::get_metrics(httplib::Response& res) {
  auto j = metrics_.to_json();
  const auto last = host_.last_write();
  j["database"] = host_.database();
  j["database_size_bytes"] = file_size(host_.database()) + file_size(host_.database() + ".wal");
  j["rss_bytes"] = resident_bytes();
  j["registry_memory_bytes"] = registry_memory();
  j["writes_done"] = host_.writes_done();
  j["writing"] = host_.writing();
  if (host_.writes_done() > 0)
    j["last_write_unix_s"] =
        std::chrono::duration<double>(last.time_since_epoch()).count();
  else
    j["last_write_unix_s"] = nullptr;
  res.set_content(j.dump() + "\n", "application/json");
}

void HttpApi::get_query(const httplib::Request& req, httplib::Response& res) {
  std::vector<std::string> argv = {"tolteca_db", "query", req.matches[1].str()};
  if (auto bad = append_parameters(req.params, {}, argv))
    return json_error(res, 400, "parameter '" + *bad + "' is not accepted here", *bad);
  argv.push_back("--json");
  stream_command(std::move(argv), req, res, "application/json");
}

void HttpApi::get_export(const httplib::Request& req, httplib::Response& res) {
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "csv";
  if (format != "csv" && format != "json" && format != "parquet")
    return json_error(res, 400, "format must be csv, json or parquet, not '" + format + "'", "format");
  auto ticket = std::make_shared<JobTicket>(gate_);
  if (!*ticket) return json_error(res, 503, "the server is stopping");
  // DuckDB's COPY writes a file: a private temporary one, streamed back and removed.
  char dir_template[] = "/tmp/tolteca_db-export-XXXXXX";
  if (!::mkdtemp(dir_template)) return json_error(res, 500, "cannot make a temporary directory");
  const std::string dir = dir_template;
  const std::string path = dir + "/export." + format;
  std::vector<std::string> argv = {"tolteca_db", "query", "export", path};
  if (auto bad = append_parameters(req.params, "format", argv)) {
    std::filesystem::remove_all(dir);
    return json_error(res, 400, "parameter '" + *bad + "' is not accepted here", *bad);
  }
  argv.push_back("--format=" + format);
  HttpJob job(runner_, std::move(argv), job_env(), job_open(), [this] { return host_.companion_status(); });
  while (job.read(kChunk, -1).value_or("x") != "") {
  }
  const int code = job.wait();
  if (code != 0) {
    std::filesystem::remove_all(dir);
    const auto message = job.error_text();
    return json_error(res, status_for_exit(code), message, named_parameter(message, req.params));
  }
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  const auto size = static_cast<std::size_t>(file_size(path));
  const std::string type = format == "csv" ? "text/csv" : format == "json" ? "application/json"
                                                                            : "application/vnd.apache.parquet";
  res.set_header("Content-Disposition", "attachment; filename=\"export." + format + "\"");
  res.set_content_provider(
      size, type,
      [in](size_t offset, size_t length, httplib::DataSink& sink) {
        std::string buf(std::min(length, kChunk), '\0');
        in->seekg(static_cast<std::streamoff>(offset));
        in->read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in->gcount());
        return n > 0 && sink.write(buf.data(), n);
      },
      [dir, ticket](bool) { std::filesystem::remove_all(dir); });
}

void HttpApi::post_command(const httplib::Request& req, httplib::Response& res) {
  if (options_.token.empty())
    return json_error(res, 403, "write endpoints are off: start serve with --token FILE to allow them");
  const std::string auth = req.get_header_value("Authorization");
  if (auth != "Bearer " + options_.token) return json_error(res, 401, "missing or wrong bearer token");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const std::exception&) {
    return json_error(res, 400, "the body is not JSON: expected {\"argv\": [\"ingest\", ...]}", "argv");
  }
  if (!body.contains("argv") || !body["argv"].is_array() || body["argv"].empty())
    return json_error(res, 400, "expected {\"argv\": [\"ingest\", ...]}", "argv");
  std::vector<std::string> argv = {"tolteca_db"};
  for (const auto& a : body["argv"]) {
    if (!a.is_string()) return json_error(res, 400, "argv must hold strings", "argv");
    argv.push_back(a.get<std::string>());
  }
  if (argv[1] == "serve" || argv[1] == "dash") return json_error(res, 400, "cannot start a server from a server", "argv");
  stream_command(std::move(argv), req, res, "text/plain; charset=utf-8");
}

}  // namespace tolteca::server

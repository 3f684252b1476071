// `tolteca_db serve` and the seed's `dash serve`: translate the options, open the registry, and
// hand it to the server (src/server/serve.h) with the CLI's command runner.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli/common.h"
#include "cli/job_console.h"
#include "cli/serve_watch.h"
#include "model/error.h"
#include "server/serve.h"
#include "server/server_file.h"
#include "storage/open.h"

namespace tolteca::cli {
namespace {

struct ServeCli {
  DbOptions db;
  std::string listen = "127.0.0.1:8765", socket, token_file, log_file, log_format = "text";
  bool allow_remote = false, no_http = false, json = false;
  double request_timeout = 60;
  std::size_t max_request_bytes = 1 << 20;
  int max_readers = 0;
  WatchCli watch;
};

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("--token {}: cannot read it", path));
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  if (token.size() < 16) throw UserError(fmt::format("--token {}: the token must be at least 16 characters", path));
  return token;
}

void parse_listen(const std::string& text, server::HttpOptions& http) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size())
    throw UserError(fmt::format("--listen {}: expected HOST:PORT (e.g. 127.0.0.1:8765, or none)", text));
  http.host = text.substr(0, colon);
  if (http.host.size() > 2 && http.host.front() == '[' && http.host.back() == ']')
    http.host = http.host.substr(1, http.host.size() - 2);
  try {
    std::size_t used = 0;
    http.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || http.port < 0 || http.port > 65535) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    throw UserError(fmt::format("--listen {}: the port must be a number 0-65535 (0: any free port)", text));
  }
}

int run_serve(const ServeCli& o) {
  const auto url = storage::parse_registry_url(o.db.url);
  if (url.in_memory()) throw UserError("serve needs a database file, not :memory:");
  const std::string database = std::filesystem::weakly_canonical(std::filesystem::absolute(url.path)).string();
  if (auto running = server::find_live_server(database))
    throw UserError(fmt::format("a server (pid {}) already serves {} (socket {})", running->pid, database,
                                running->socket));
  server::ServeOptions so;
  so.database = database;
  so.socket = o.socket;
  so.log_file = o.log_file;
  so.log_format = o.log_format == "json" ? server::LogFormat::json : server::LogFormat::text;
  so.http = !o.no_http && o.listen != "none";
  so.max_readers = o.max_readers;
  so.companion = make_watch_companion(o.watch, database);
  if (so.http) {
    parse_listen(o.listen, so.http_options);
    if (!is_loopback(so.http_options.host) && !o.allow_remote)
      throw UserError(fmt::format("--listen {}: beyond this machine (not loopback); add --allow-remote to mean it",
                                  o.listen));
    if (!o.token_file.empty()) so.http_options.token = read_token(o.token_file);
    so.http_options.request_timeout_s = o.request_timeout;
    so.http_options.max_request_bytes = o.max_request_bytes;
  }
  server::block_stop_signals();  // before the database starts its threads: they inherit the block
  server::limit_malloc_arenas();
  storage::OpenOptions open;
  const std::string served_url = "duckdb:///" + database;  // absolute: duckdb:////path
  open.mode = storage::registry_exists(served_url) ? storage::OpenMode::ReadWrite : storage::OpenMode::Create;
  open.wait_seconds = o.db.wait_seconds;
  auto registry = storage::open_registry(served_url, open);
  if (open.mode == storage::OpenMode::Create)
    err() << "note: created the database " << database << " (it did not exist)\n";
  if (so.http && !is_loopback(so.http_options.host))
    err() << "warning: the HTTP API listens beyond this machine (" << o.listen << "): anyone who can reach it can "
          << "read the registry" << (so.http_options.token.empty() ? "" : ", and write with the token") << "\n";
  return server::serve(std::move(registry), so, run_job, [&](const server::ServerInfo& info) {
    if (o.json) {
      print_json(out(), {{"database", info.database}, {"socket", info.socket}, {"http", info.http}, {"pid", info.pid}});
    } else {
      out() << "serving " << info.database << "\n  socket " << info.socket << "\n";
      if (!info.http.empty()) out() << "  http   http://" << info.http << "/api/v1/health\n";
      out() << "  stop with Ctrl-C or SIGTERM\n";
    }
    out().flush();
  });
}

void add_serve_options(CLI::App* cmd, ServeCli& o) {
  cmd->add_option("--socket", o.socket, "Unix socket path (default: DATABASE.sock beside the database)");
  cmd->add_flag("--no-http", o.no_http, "No HTTP listener (the CLI still reaches the server by its socket)");
  cmd->add_flag("--allow-remote", o.allow_remote, "Allow an HTTP address beyond loopback (prints a warning)");
  cmd->add_option("--token", o.token_file,
                  "File holding a token (>= 16 characters): enables POST /api/v1/command with 'Authorization: "
                  "Bearer TOKEN' (without it the HTTP API is read-only)");
  cmd->add_option("--log", o.log_file, "Append the log (one line per request and per job) to FILE (default stderr)");
  cmd->add_option("--log-format", o.log_format, "text (default) or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--request-timeout", o.request_timeout,
                  "Seconds an HTTP request may wait for its first output, and the socket timeouts (default 60)");
  cmd->add_option("--max-request-bytes", o.max_request_bytes, "Largest HTTP request accepted (default 1 MiB)");
  cmd->add_option("--max-readers", o.max_readers,
                  "Queries answered at once (more wait their turn; default: the machine's cores, at least 2), so a "
                  "burst of queries leaves the write in flight its share of the machine");
  add_watch_options(cmd, o.watch);
  add_json_flag(cmd, o.json);
}

}  // namespace

void register_serve_commands(CLI::App& app) {
  auto o = std::make_shared<ServeCli>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Hold the registry open and serve it: every CLI command keeps working (it runs in the server), "
      "and an HTTP JSON API answers queries");
  add_db_options(cmd, o->db);
  cmd->add_option("--listen", o->listen, "HTTP address HOST:PORT (default 127.0.0.1:8765; 0: any free port; none)")
      ->capture_default_str();
  add_serve_options(cmd, *o);
  set_examples(cmd,
               "  tolteca_db serve --db duckdb:///./tolteca.duckdb\n"
               "  tolteca_db serve --listen 127.0.0.1:0 --log serve.log --log-format json\n"
               "  tolteca_db serve --watch /data_lmt --disabled-networks 6,11 --settle 30\n"
               "  curl 'http://127.0.0.1:8765/api/v1/obs?spec=latest'\n");
  cmd->callback([o] {
    const int code = run_serve(*o);
    if (code != 0) throw UserError("the server stopped with an error");
  });

  // The seed's `dash serve --db-url/-d --host/-h --port/-p` (its web dashboard).
  auto d = std::make_shared<ServeCli>();
  auto dh = std::make_shared<std::pair<std::string, int>>("127.0.0.1", 8765);
  auto* dash = app.add_subcommand("dash", "The seed's dashboard commands: dash serve (the same as serve)");
  dash->require_subcommand(1);
  auto* ds = dash->add_subcommand("serve", "The same as `tolteca_db serve`, with the seed's option names");
  ds->set_help_flag("--help", "Print this help message and exit");
  d->db.url = storage::default_registry_url(env("TOLTECA_DB_URL"));
  ds->add_option("--db-url,-d,--db", d->db.url, "Database URL (as serve --db)")->capture_default_str();
  ds->add_option("--host,-h", dh->first, "HTTP host (default 127.0.0.1)")->capture_default_str();
  ds->add_option("--port,-p", dh->second, "HTTP port (default 8765)")->capture_default_str();
  add_serve_options(ds, *d);
  set_examples(ds, "  tolteca_db dash serve -d duckdb:///./tolteca.duckdb -h 127.0.0.1 -p 8765\n");
  ds->callback([d, dh] {
    d->listen = dh->first + ":" + std::to_string(dh->second);
    const int code = run_serve(*d);
    if (code != 0) throw UserError("the server stopped with an error");
  });
}

}  // namespace tolteca::cli

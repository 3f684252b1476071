#include "cli/forward.h"

#include <chrono>
#include <thread>

#include "cli/console.h"
#include "cli/run.h"
#include "server/client.h"
#include "storage/open.h"

namespace tolteca::cli {

void forward_if_served(const std::string& url) {
  if (console().registry_provider()) return;  // a server's own job: never forward again
  const auto parsed = storage::parse_registry_url(url);
  if (parsed.in_memory()) return;
  if (auto s = server::find_live_server(parsed.path)) throw ForwardToServer(*s);
}

int forward_to_server(const ForwardToServer& f, int argc, char** argv) {
  if (f.server.protocol != server::kProtocolVersion) {
    err() << "tolteca_db: error: the server of " << f.server.database << " (pid " << f.server.pid
          << ") speaks protocol " << f.server.protocol << ", this tolteca_db " << server::kProtocolVersion
          << ": run the same version as the server, or stop it\n";
    return 1;
  }
  std::vector<std::string> args(argv, argv + argc);
  auto r = server::forward_command(f.server, args);
  if (r.exit_code) return *r.exit_code;
  if (r.refused) {
    // A server that is stopping finishes its write and leaves; then the registry is ours to open.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (server::process_alive(f.server.pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!server::process_alive(f.server.pid)) return run_command_line(argc, argv);
  }
  err() << "tolteca_db: error: the server of " << f.server.database << " (pid " << f.server.pid
        << "): " << r.problem << '\n';
  return 2;
}

}  // namespace tolteca::cli

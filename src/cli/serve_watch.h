#pragma once
// `serve --watch ROOT…`: the options of the data watcher (src/watch/watcher.h) and the companion that
// runs it inside the server (server/companion.h).
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "server/companion.h"

namespace tolteca::cli {

struct WatchCli {
  std::vector<std::string> roots;
  std::string location;
  double poll = 0, settle_file = 2, settle = 30;
  std::string networks, disabled_networks;
  std::string site_db, data_root;
  bool no_associations = false;
  int jobs = 0;
  std::size_t max_inotify_dirs = 0;
};

void add_watch_options(CLI::App* cmd, WatchCli& o);

// Empty when neither --watch nor --watch-site-db was given. Checks the options now (UserError naming the option); the roots
// need not exist yet (a root that appears later is caught up then).
server::MakeCompanion make_watch_companion(const WatchCli& o, const std::string& database);

}  // namespace tolteca::cli

#include "cli/serve_watch.h"

#include <fmt/format.h>

#include <filesystem>

#include "cli/console.h"
#include "model/error.h"
#include "storage/site_db.h"
#include "sim/simulator.h"
#include "watch/watcher.h"

namespace tolteca::cli {
namespace {

class WatchCompanion final : public server::Companion {
 public:
  WatchCompanion(watch::WatchOptions options, watch::OpenWriter open, watch::WatchLog log)
      : watcher_(std::move(options), std::move(open), std::move(log)) {}
  void run() override { watcher_.run(); }
  void stop() override { watcher_.stop(); }
  nlohmann::json status() const override { return watcher_.status(); }
  std::string name() const override { return "watch"; }

 private:
  watch::Watcher watcher_;
};

std::vector<int> networks_option(const std::string& flag, const std::string& text) {
  if (text.empty()) return {};
  try {
    return sim::parse_networks(text);
  } catch (const std::exception& e) {
    throw UserError(fmt::format("{} {}: {}", flag, text, e.what()));
  }
}

void check_seconds(const char* flag, double v, bool zero_ok) {
  if (v < 0 || (!zero_ok && v == 0) || v > 86400)
    throw UserError(fmt::format("{} {}: expected seconds {} 86400", flag, v, zero_ok ? "from 0 to" : "above 0, at most"));
}

}  // namespace

void add_watch_options(CLI::App* cmd, WatchCli& o) {
  cmd->add_option("--watch", o.roots,
                  "Data root to watch (repeatable): files are registered as the instruments finish them, and the "
                  "associations kept current");
  cmd->add_option("--watch-site-db", o.site_db,
                  "The site file database to poll (mysql://user@host/dbname, a SQLite file or sqlite:///path): rows "
                  "that turn valid are "
                  "recorded (every --poll seconds, default 2)");
  cmd->add_option("--data-root", o.data_root,
                  "Where the site database's /data_lmt/… paths are found here (default: the --watch root, or "
                  "$TOLTECA_WEB_DATA_LMT_ROOTPATH)");
  cmd->add_option("--location", o.location, "Location label of the watched root (default: the root's location)");
  cmd->add_option("--poll", o.poll,
                  "Poll the roots every SECONDS instead of inotify (default: inotify; polling every 5 s where the "
                  "file system is a network one, e.g. NFS)");
  cmd->add_option("--settle-file", o.settle_file,
                  "A file is read once its size and time stayed the same this many seconds (default 2)");
  cmd->add_option("--settle", o.settle,
                  "An observation is complete when every expected network is in, or when no file of it came for "
                  "this many seconds (default 30)");
  cmd->add_option("--networks", o.networks,
                  "Networks expected in every observation, e.g. 0-12 (default: those of the previous observation)");
  cmd->add_option("--disabled-networks", o.disabled_networks, "Networks never expected, e.g. 6,11");
  cmd->add_flag("--no-associations", o.no_associations, "Register files only (no association generation)");
  cmd->add_option("--watch-jobs", o.jobs, "Header-reading threads of the watcher's ingest (default: the cores)");
  cmd->add_option("--inotify-max-dirs", o.max_inotify_dirs,
                  "Watch at most N directories with inotify (default: as many as the kernel's per-user limit, "
                  "fs.inotify.max_user_watches, allows); beyond that the roots are polled every 5 s");
}

server::MakeCompanion make_watch_companion(const WatchCli& o, const std::string& database) {
  if (o.roots.empty() && o.site_db.empty()) return {};
  check_seconds("--poll", o.poll, true);
  check_seconds("--settle-file", o.settle_file, true);
  check_seconds("--settle", o.settle, false);
  watch::WatchOptions w;
  for (const auto& r : o.roots) w.roots.push_back(std::filesystem::absolute(r).lexically_normal().string());
  for (auto& r : w.roots)
    while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (!o.location.empty() && w.roots.size() > 1)
    throw UserError("--location names the location of one root: with several --watch roots, leave it out");
  w.location = o.location;
  w.poll_seconds = o.poll;
  w.settle_file_seconds = o.settle_file;
  w.completion.settle_seconds = o.settle;
  w.completion.networks = networks_option("--networks", o.networks);
  w.completion.disabled_networks = networks_option("--disabled-networks", o.disabled_networks);
  w.associations = !o.no_associations;
  w.jobs = o.jobs;
  w.max_inotify_dirs = o.max_inotify_dirs;
  if (!o.site_db.empty()) {
    storage::parse_site_db_source(o.site_db);  // an unsupported source is reported now
    w.site_db.source = o.site_db;
    w.site_db.poll_seconds = o.poll > 0 ? o.poll : 2;
    w.site_db.location = o.location;
    w.site_db.data_root = o.data_root.empty() ? env("TOLTECA_WEB_DATA_LMT_ROOTPATH").value_or("") : o.data_root;
    if (!w.site_db.data_root.empty())
      w.site_db.data_root = std::filesystem::absolute(w.site_db.data_root).lexically_normal().string();
  }
  return [w, database](server::OpenServed open, server::CompanionLog log) -> std::unique_ptr<server::Companion> {
    auto open_writer = [open, database] { return open(database, storage::OpenMode::ReadWrite); };
    return std::make_unique<WatchCompanion>(w, open_writer, log);
  };
}

}  // namespace tolteca::cli

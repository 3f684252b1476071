#include "watch/watcher.h"

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <thread>

#include "assoc/engine.h"
#include "ingest/ingest.h"
#include "model/time.h"
#include "watch/file_tracker.h"
#include "watch/tree_sources.h"

namespace tolteca::watch {
namespace {

using std::chrono::duration;

bool is_directory(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "toltec7" -> 7; other interfaces (hwpr, tel_toltec, …) have no network.
std::optional<int> network_of(const std::string& interface) {
  if (interface.rfind("toltec", 0) != 0 || interface.size() == 6) return std::nullopt;
  try {
    std::size_t used = 0;
    const int n = std::stoi(interface.substr(6), &used);
    if (used == interface.size() - 6) return n;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

struct Root {
  std::string path;
  std::string location;  // label, decided at the first catch-up
  std::string mode;      // "inotify", "poll", "waiting" (not there yet)
  double poll_seconds = 0;
  Clock::time_point next_poll{};
  std::unique_ptr<PollSource> poller;
};

}  // namespace

struct Watcher::State {
  WatchOptions options;
  OpenWriter open;
  WatchLog log;
  std::atomic<bool> stopping{false};
  std::mutex stop_mutex;
  std::condition_variable stop_cv;

  std::vector<Root> roots;
  std::unique_ptr<InotifySource> inotify;
  std::optional<SiteDbWatch> site;
  FileTracker tracker;
  CompletionTracker completion;

  mutable std::mutex status_mutex;  // guards the fields below (status() reads them from other threads)
  std::size_t files_pending = 0;
  std::vector<std::string> incomplete_uids;
  std::int64_t files_ingested = 0, files_missing = 0, obs_completed = 0, batches = 0, catch_ups = 0,
               overflows = 0, assoc_runs = 0, errors = 0;
  std::string last_error;
  std::chrono::system_clock::time_point last_event{}, last_batch{};
  double last_lag_s = 0;  // from a file settling to its batch committing
  nlohmann::json root_status = nlohmann::json::array();
  std::int64_t site_polls = 0, site_files = 0, site_from_id = 0, site_full_passes = 0;
  std::chrono::system_clock::time_point site_last_poll{};

  State(WatchOptions o, OpenWriter op, WatchLog l)
      : options(std::move(o)), open(std::move(op)), log(std::move(l)), tracker(options.settle_file_seconds),
        completion(options.completion) {}

  void note_error(const std::string& what, const std::exception& e) {
    log({{"event", "watch_error"}, {"during", what}, {"error", e.what()}});
    std::lock_guard lock(status_mutex);
    ++errors;
    last_error = what + ": " + e.what();
  }

  ingest::IngestOptions ingest_options(const Root& r) const {
    ingest::IngestOptions io;
    io.location = r.location;
    io.data_root = r.path;
    io.jobs = options.jobs;
    return io;
  }

  // The location label of a root: given, or the location whose root it is, or (no location yet and one
  // root) the default, or a new one named after the directory.
  std::string location_for(storage::Registry& reg, const std::string& path) const {
    if (!options.location.empty()) return options.location;
    const auto all = reg.locations().list();
    for (const auto& l : all)
      if (ingest::canonical_path(l.root_path) == ingest::canonical_path(path)) return l.label;
    if (all.empty() && options.roots.size() == 1) return "";
    const auto slash = path.find_last_of('/');
    return path.substr(slash == std::string::npos ? 0 : slash + 1);
  }

  void catch_up(Root& r) {
    try {
      auto reg = open();
      if (r.location.empty()) r.location = location_for(*reg, r.path);
      auto io = ingest_options(r);
      // What vanished while nobody watched becomes missing (an empty root prunes nothing: the guard
      // would refuse it, and a root that has just been made has nothing to prune).
      std::error_code ec;
      io.prune = std::filesystem::directory_iterator(r.path, ec) != std::filesystem::directory_iterator();
      const auto sum = ingest::ingest_directory(*reg, r.path, io);
      if (r.location.empty()) r.location = sum.location;
      log({{"event", "watch_catch_up"}, {"root", r.path}, {"location", sum.location}, {"new", sum.new_files},
           {"updated", sum.updated}, {"missing", sum.missing}, {"failed", sum.failed}});
      if (options.associations) generate(*reg);
      std::lock_guard lock(status_mutex);
      ++catch_ups;
      files_ingested += sum.new_files + sum.updated;
      files_missing += sum.missing;
    } catch (const std::exception& e) {
      note_error("catch-up of " + r.path, e);
    }
  }

  void generate(storage::Registry& reg) {
    assoc::generate(reg.assoc(), assoc::GenerateOptions{});
    std::lock_guard lock(status_mutex);
    ++assoc_runs;
  }

  // The root is polled from now on; the first walk is the baseline (the catch-up reads what is there).
  void make_polled(Root& r, Clock::time_point now) {
    r.mode = "poll";
    r.poll_seconds = options.poll_seconds > 0 ? options.poll_seconds : kAutoPollSeconds;
    r.poller = std::make_unique<PollSource>(std::vector<std::string>{r.path});
    r.poller->scan();
    r.next_poll = after(now, r.poll_seconds);
  }

  // A root that exists: watched by inotify (or polled), then caught up.
  void start_root(Root& r, Clock::time_point now) {
    const bool poll = options.poll_seconds > 0 || needs_polling(r.path) || !inotify;
    std::vector<std::string> found;
    if (!poll && inotify->add_tree(r.path, found) && !inotify->some_directory_unwatched()) {
      r.mode = "inotify";
    } else {
      if (!poll) log({{"event", "watch_polling"}, {"root", r.path}, {"reason", "inotify cannot watch every directory"}});
      make_polled(r, now);
    }
    // Files written shortly before or while the catch-up ran may have been read unfinished: they are
    // looked at again when they settle (a file that did not change is then "unchanged", at no cost).
    const std::int64_t recent_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
        static_cast<std::int64_t>((options.settle_file_seconds + 1) * 1e9);
    catch_up(r);
    for (const auto& f : found)
      if (auto st = stat_path(f); st && st->mtime_ns >= recent_ns) tracker.touched(f, now);
    log({{"event", "watch_root"}, {"root", r.path}, {"mode", r.mode}, {"poll_seconds", r.poll_seconds}});
  }

  void touch_all(const std::vector<std::string>& paths, Clock::time_point now) {
    for (const auto& p : paths) tracker.touched(p, now);
    if (!paths.empty()) {
      std::lock_guard lock(status_mutex);
      last_event = std::chrono::system_clock::now();
    }
  }

  // A new directory could not be watched: every inotify root is polled from now on (and caught up,
  // since the files of that directory raised no event).
  void switch_to_polling(Clock::time_point now) {
    for (auto& r : roots) {
      if (r.mode != "inotify") continue;
      log({{"event", "watch_polling"}, {"root", r.path}, {"reason", "inotify cannot watch every directory"}});
      make_polled(r, now);
      catch_up(r);
    }
    inotify.reset();  // every root polls: the loop sleeps on the stop signal instead of the events
  }

  // Events and polls of this tick.
  void gather(Clock::time_point now) {
    if (inotify) {
      auto ev = inotify->wait(200);
      if (ev.overflow) {
        log({{"event", "watch_overflow"}});
        {
          std::lock_guard lock(status_mutex);
          ++overflows;
        }
        for (auto& r : roots)
          if (r.mode == "inotify") {
            std::vector<std::string> found;
            inotify->add_tree(r.path, found);  // directories made while events were lost
            catch_up(r);
          }
      }
      touch_all(ev.paths, Clock::now());
      if (inotify->some_directory_unwatched()) switch_to_polling(Clock::now());
    } else {
      std::unique_lock lock(stop_mutex);
      stop_cv.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping.load(); });
    }
    now = Clock::now();
    for (auto& r : roots) {
      if (r.mode == "waiting" && is_directory(r.path)) start_root(r, now);
      if (r.mode != "poll" || now < r.next_poll) continue;
      touch_all(r.poller->scan(), now);
      r.next_poll = after(now, r.poll_seconds);
    }
  }

  const Root* root_of(const std::string& path) const {
    const Root* best = nullptr;
    for (const auto& r : roots)
      if (path.rfind(r.path + "/", 0) == 0 && (!best || r.path.size() > best->path.size())) best = &r;
    return best;
  }

  void ingest_due(const FileTracker::Due& due, Clock::time_point now) {
    std::map<const Root*, std::vector<std::string>> ready, gone;
    for (const auto& p : due.ready)
      if (const Root* r = root_of(p)) ready[r].push_back(p);
    for (const auto& p : due.gone)
      if (const Root* r = root_of(p)) gone[r].push_back(p);
    if (ready.empty() && gone.empty()) return;
    try {
      auto reg = open();
      std::int64_t in = 0, missing = 0;
      for (const auto& [r, paths] : ready) {
        const auto sum = ingest::ingest_files(*reg, paths, ingest_options(*r));
        for (const auto& f : sum.files)
          if ((f.status == "new" || f.status == "updated") && !f.uid.empty() && f.uid.rfind("reduced:", 0) != 0) {
            completion.file_in(f.uid, network_of(f.interface), now);
            ++in;
          }
      }
      for (const auto& [r, paths] : gone) missing += ingest::mark_files_missing(*reg, r->location, paths);
      if (missing > 0 && options.associations) generate(*reg);
      std::lock_guard lock(status_mutex);
      files_ingested += in;
      files_missing += missing;
      ++batches;
      last_batch = std::chrono::system_clock::now();
      last_lag_s = duration<double>(Clock::now() - now).count();
    } catch (const std::exception& e) {
      note_error("ingest", e);
    }
  }

  void poll_site(Clock::time_point now) {
    try {
      auto reg = open();
      const auto sum = site->poll(*reg, now);
      const std::int64_t in = sum.new_files + sum.updated;
      if (in > 0) {
        log({{"event", "watch_site_db"}, {"source", site->options().source}, {"new", sum.new_files},
             {"updated", sum.updated}, {"raw_obs_created", sum.raw_obs_created}});
        if (options.associations) generate(*reg);
      }
      std::lock_guard lock(status_mutex);
      ++site_polls;
      site_files += in;
      files_ingested += in;
      site_last_poll = std::chrono::system_clock::now();
      if (in > 0) last_batch = site_last_poll;
      site_from_id = site->next_from_id(now);
      site_full_passes = site->full_passes();
    } catch (const std::exception& e) {
      site->poll_later(now);
      note_error("site database " + site->options().source, e);
    }
  }

  void complete_observations(Clock::time_point now) {
    const auto done = completion.take_complete(now);
    if (!done.empty()) {
      log({{"event", "watch_complete"}, {"observations", done}});
      if (options.associations) {
        try {
          auto reg = open();
          generate(*reg);
        } catch (const std::exception& e) {
          note_error("association generation", e);
        }
      }
    }
    std::lock_guard lock(status_mutex);
    obs_completed += static_cast<std::int64_t>(done.size());
  }

  // What status() shows of the loop's own state (it runs on other threads).
  void publish_status() {
    std::lock_guard lock(status_mutex);
    incomplete_uids = completion.incomplete_uids();
    files_pending = tracker.pending();
    root_status = nlohmann::json::array();
    for (const auto& r : roots)
      root_status.push_back({{"root", r.path}, {"location", r.location}, {"mode", r.mode},
                             {"poll_seconds", r.poll_seconds}});
  }
};

Watcher::Watcher(WatchOptions options, OpenWriter open, WatchLog log)
    : state_(std::make_unique<State>(std::move(options), std::move(open), std::move(log))) {}

Watcher::~Watcher() = default;

void Watcher::stop() {
  state_->stopping = true;
  state_->stop_cv.notify_all();
}

void Watcher::run() {
  State& s = *state_;
  if (s.options.poll_seconds <= 0) {
    try {
      s.inotify = std::make_unique<InotifySource>(s.options.max_inotify_dirs);
    } catch (const std::exception& e) {
      s.log({{"event", "watch_polling"}, {"reason", e.what()}});
    }
  }
  for (const auto& p : s.options.roots) s.roots.push_back(Root{p, "", "waiting", 0, {}, nullptr});
  for (auto& r : s.roots) {
    if (is_directory(r.path)) s.start_root(r, Clock::now());
    else s.log({{"event", "watch_waiting"}, {"root", r.path}});
  }
  if (!s.options.site_db.source.empty()) {
    auto so = s.options.site_db;
    if (so.data_root.empty() && s.roots.size() == 1) so.data_root = s.roots[0].path;
    if (so.location.empty() && s.roots.size() == 1) so.location = s.roots[0].location;
    if (so.location.empty()) so.location = s.options.location;
    s.site.emplace(so);
  }
  while (!s.stopping) {
    s.gather(Clock::now());
    const auto now = Clock::now();
    if (s.site && s.site->due(now)) s.poll_site(now);
    s.ingest_due(s.tracker.take_due(now, stat_path), now);
    s.complete_observations(now);
    s.publish_status();
  }
}

nlohmann::json Watcher::status() const {
  const State& s = *state_;
  std::lock_guard lock(s.status_mutex);
  auto iso = [](std::chrono::system_clock::time_point t) -> nlohmann::json {
    if (t.time_since_epoch().count() == 0) return nullptr;
    return format_iso8601(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
  };
  nlohmann::json site = nullptr;
  if (s.site)
    site = {{"source", s.site->options().source}, {"poll_seconds", s.site->options().poll_seconds},
            {"polls", s.site_polls}, {"files_ingested", s.site_files}, {"last_poll", iso(s.site_last_poll)},
            {"next_from_id", s.site_from_id}, {"full_passes", s.site_full_passes}};
  return {{"roots", s.root_status},
          {"site_db", site},
          {"files_pending", s.files_pending},
          {"observations_incomplete", s.incomplete_uids.size()},
          {"incomplete", s.incomplete_uids},
          {"files_ingested", s.files_ingested},
          {"files_missing", s.files_missing},
          {"observations_completed", s.obs_completed},
          {"batches", s.batches},
          {"catch_up_scans", s.catch_ups},
          {"overflows", s.overflows},
          {"association_runs", s.assoc_runs},
          {"errors", s.errors},
          {"last_error", s.last_error},
          {"last_event", iso(s.last_event)},
          {"last_batch", iso(s.last_batch)},
          {"lag_s", s.last_lag_s}};
}

}  // namespace tolteca::watch

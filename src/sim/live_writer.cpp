// `simulate --live`: the plan's files written in (accelerated) real time (live_writer.h).
#include "sim/live_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <queue>
#include <thread>

#include "files/unique_fd.h"
#include "model/error.h"
#include "sim/sim_write.h"
#include "sim/sitedb_writer.h"

namespace tolteca::sim {

namespace fs = std::filesystem;

namespace {

using WallClock = std::chrono::steady_clock;

// When a file starts and when it is complete, on the plan's clock (unix seconds).
struct Span {
  double begin = 0, end = 0;
};

// Each network finishes at its own delay after the observation ends (0 to 2.4 plan seconds).
double finish_delay(int roach) { return 0.4 * ((roach * 5) % 7); }

std::optional<Span> span_of(const SimFile& f) {
  const bool timestream = f.type == SimFileType::network || f.type == SimFileType::hwpr;
  if (timestream && f.net.obs_end > 0)
    return Span{f.net.obs_start, f.net.obs_end + (f.type == SimFileType::network ? finish_delay(f.net.roach) : 0)};
  if (f.type == SimFileType::reduced && f.net.obs_end > 0) return Span{f.net.obs_end + 10, f.net.obs_end + 12};
  if ((f.type == SimFileType::tel || f.type == SimFileType::tel2) && f.tel.start_time > 0)
    return Span{f.tel.start_time, f.tel.start_time + f.tel.integration_time + 1};
  return std::nullopt;
}

// Every file's span; a file without a time of its own starts and ends when the file before it starts.
std::vector<Span> schedule(const SimPlan& plan) {
  std::vector<Span> spans(plan.files.size());
  std::optional<double> first;
  for (const auto& f : plan.files)
    if (auto s = span_of(f)) first = first ? std::min(*first, s->begin) : s->begin;
  double last = first.value_or(0);
  for (std::size_t i = 0; i < plan.files.size(); ++i) {
    spans[i] = span_of(plan.files[i]).value_or(Span{last, last});
    last = spans[i].begin;
  }
  return spans;
}

// One step of one file: step 0 creates it, steps 1..chunks grow it; the last one completes it.
struct Event {
  double t = 0;
  std::size_t file = 0;
  int step = 0;
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : file > o.file; }
};

// A file being written: its final bytes (made in a scratch directory), how far it is written, and
// its site-database row.
struct OpenFile {
  std::string bytes;
  int chunks = 1;
  std::optional<std::int64_t> site_row;
};

class ScratchDir {
 public:
  ScratchDir() {
    std::string t = (fs::temp_directory_path() / "tolteca-simulate-live-XXXXXX").string();
    if (!::mkdtemp(t.data())) throw UserError(fmt::format("cannot make a temporary directory: {}", std::strerror(errno)));
    path_ = t;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  fs::path file() const { return path_ / "file"; }

 private:
  fs::path path_;
};

void write_at(const std::string& path, const std::string& bytes, std::size_t from, std::size_t to) {
  const int flags = O_WRONLY | O_CLOEXEC | (from == 0 ? O_CREAT | O_TRUNC : O_APPEND);
  files::UniqueFd fd(::open(path.c_str(), flags, 0644));
  if (!fd) throw UserError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  for (std::size_t at = from; at < to;) {
    const ssize_t n = ::write(fd.get(), bytes.data() + at, to - at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw UserError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    at += static_cast<std::size_t>(n);
  }
}

// Points the directory's current-file link (toltecN.nc) at `file`: a new link renamed over the old.
void point_current_link(const fs::path& file, int roach) {
  const fs::path dir = file.parent_path();
  const fs::path link = dir / fmt::format("toltec{}.nc", roach), fresh = dir / fmt::format(".toltec{}.nc.new", roach);
  std::error_code ec;
  fs::remove(fresh, ec);
  fs::create_symlink(file.filename(), fresh, ec);
  if (!ec) fs::rename(fresh, link, ec);
  if (ec) throw UserError(fmt::format("cannot point the link {} at {}: {}", link.string(), file.string(), ec.message()));
}

class LiveWriter {
 public:
  LiveWriter(const SimPlan& plan, const std::string& out_dir, bool force, const LiveOptions& live)
      : plan_(plan), root_(out_dir), live_(live), out_(plan, out_dir, force), spans_(schedule(plan)) {
    if (auto* db = out_.site_db()) site_.emplace(*db);
    for (std::size_t i = 0; i < spans_.size(); ++i) events_.push({spans_[i].begin, i, 0});
    t0_ = events_.empty() ? 0 : events_.top().t;
  }

  WriteStats run() {
    const auto start = WallClock::now();
    WriteStats st;
    while (!events_.empty()) {
      if (live_.stop && live_.stop()) return finish(st, start);
      const Event e = events_.top();
      events_.pop();
      wait_for(start, e.t);
      if (step(e)) {
        ++st.files;
        struct stat sb {};
        if (::lstat((root_ / plan_.files[e.file].path).c_str(), &sb) == 0) st.bytes += sb.st_size;
        if (live_.progress)
          live_.progress({st.files, static_cast<std::int64_t>(plan_.files.size()),
                          static_cast<std::int64_t>(open_.size()), micros_from_seconds(e.t), seconds_since(start)});
      }
    }
    out_.commit_catalog();
    return finish(st, start);
  }

 private:
  static WriteStats finish(WriteStats st, WallClock::time_point start) {
    st.seconds = seconds_since(start);
    return st;
  }

  static double seconds_since(WallClock::time_point t) {
    return std::chrono::duration<double>(WallClock::now() - t).count();
  }

  void wait_for(WallClock::time_point start, double t) const {
    const auto at = start + std::chrono::duration_cast<WallClock::duration>(
                                std::chrono::duration<double>((t - t0_) / live_.speed));
    if (at - WallClock::now() > std::chrono::milliseconds(1)) std::this_thread::sleep_until(at);
  }

  // Runs one event; true when it completed its file.
  bool step(const Event& e) {
    const SimFile& f = plan_.files[e.file];
    const fs::path full = root_ / f.path;
    if (e.step == 0) return begin(e, f, full);
    OpenFile& o = open_.at(e.file);
    write_at(full.string(), o.bytes, offset(o, e.step - 1), offset(o, e.step));
    if (e.step < o.chunks) {
      const Span& s = spans_[e.file];
      events_.push({s.begin + (s.end - s.begin) * (e.step + 1) / o.chunks, e.file, e.step + 1});
      return false;
    }
    if (o.site_row && detail::ends_valid(f)) site_->set_valid(*o.site_row);
    open_.erase(e.file);
    return true;
  }

  // Bytes written once step k is done: step 0 the first part, step `chunks` all of them.
  static std::size_t offset(const OpenFile& o, int k) {
    return o.bytes.size() * static_cast<std::size_t>(k + 1) / static_cast<std::size_t>(o.chunks + 1);
  }

  bool begin(const Event& e, const SimFile& f, const fs::path& full) {
    out_.make_parent(full);
    if (f.bad == BadCase::current_link) {
      detail::write_planned_file(f, full.string(), plan_.options.names_only);
      return true;
    }
    OpenFile o;
    detail::write_planned_file(f, scratch_.file().string(), plan_.options.names_only);
    o.bytes = read_scratch();
    const Span& s = spans_[e.file];
    o.chunks = std::max(1, static_cast<int>(std::ceil(s.end - s.begin)));  // one per plan second at most
    write_at(full.string(), o.bytes, 0, offset(o, 0));
    if (f.type == SimFileType::network && f.name) point_current_link(full, f.net.roach);
    if (site_)
      if (auto row = detail::site_db_row(f)) {
        row->valid = 0;
        o.site_row = site_->add(*row);
      }
    open_.emplace(e.file, std::move(o));
    events_.push({s.begin + (s.end - s.begin) / open_.at(e.file).chunks, e.file, 1});
    return false;
  }

  std::string read_scratch() const {
    const fs::path p = scratch_.file();
    std::ifstream in(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw UserError(fmt::format("cannot read back {}", p.string()));
    std::error_code ec;
    fs::remove(p, ec);
    return bytes;
  }

  const SimPlan& plan_;
  const fs::path root_;
  const LiveOptions& live_;
  detail::OutputTargets out_;
  std::vector<Span> spans_;
  ScratchDir scratch_;
  std::optional<LiveSiteDb> site_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::map<std::size_t, OpenFile> open_;
  double t0_ = 0;
};

}  // namespace

WriteStats write_archive_live(const SimPlan& plan, const std::string& out_dir, bool force, const LiveOptions& live) {
  if (!(live.speed > 0) || !std::isfinite(live.speed))  // checked before anything is written
    throw UserError(fmt::format("--speed {}: expected a number > 0", live.speed));
  return LiveWriter(plan, out_dir, force, live).run();
}

}  // namespace tolteca::sim

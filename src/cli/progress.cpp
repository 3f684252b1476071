#include "cli/progress.h"
#include "cli/console.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "cli/output.h"

namespace tolteca::cli {

std::string format_count(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  std::string out;
  int k = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (k && k % 3 == 0) out += ',';
    out += *it;
    ++k;
  }
  if (n < 0) out += '-';
  std::reverse(out.begin(), out.end());
  return out;
}

std::string format_eta(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  auto s = static_cast<std::int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

namespace {
double rate(const ingest::Progress& p) { return p.elapsed_s > 0 ? static_cast<double>(p.done) / p.elapsed_s : 0; }
}  // namespace

std::string ProgressDisplay::format_bar(const std::string& label, const ingest::Progress& p, int width) {
  const double r = rate(p);
  std::string tail;
  if (p.walk_done && p.found > 0) {
    double frac = std::clamp(static_cast<double>(p.done) / static_cast<double>(p.found), 0.0, 1.0);
    double eta = r > 0 ? static_cast<double>(p.found - p.done) / r : NAN;
    tail = fmt::format(" {:3.0f}%  {}/{} files  {} files/s  ETA {}", frac * 100, format_count(p.done),
                       format_count(p.found), format_count(static_cast<std::int64_t>(r)), format_eta(eta));
    int bar = std::max(10, std::min(40, width - static_cast<int>(label.size() + tail.size()) - 4));
    int fill = static_cast<int>(frac * bar);
    return fmt::format("{} [{}{}]{}", label, std::string(static_cast<std::size_t>(fill), '#'),
                       std::string(static_cast<std::size_t>(bar - fill), '-'), tail);
  }
  return fmt::format("{} scanning: {} found, {} done  {} files/s", label, format_count(p.found), format_count(p.done),
                     format_count(static_cast<std::int64_t>(r)));
}

std::string ProgressDisplay::format_plain(const std::string& label, const ingest::Progress& p) {
  const double r = rate(p);
  std::string eta = p.walk_done && r > 0 ? format_eta(static_cast<double>(p.found - p.done) / r) : "?";
  return fmt::format("{}: {} of {}{} files done (new {}, updated {}, unchanged {}, skipped {}, failed {}), {} files/s, "
                     "elapsed {}, ETA {}",
                     label, p.done, p.found, p.walk_done ? "" : "+", p.new_files, p.updated, p.unchanged, p.skipped,
                     p.failed, static_cast<std::int64_t>(r), format_eta(p.elapsed_s), eta);
}

ProgressDisplay::ProgressDisplay(std::string label, bool quiet)
    : ProgressDisplay(std::move(label), quiet ? Mode::off : (console().err_fd() >= 0 && isatty(console().err_fd()) ? Mode::tty : Mode::plain), console().err_file()) {}

ProgressDisplay::ProgressDisplay(std::string label, Mode mode, std::FILE* out, double plain_interval_s)
    : label_(std::move(label)), mode_(mode), out_(out), plain_interval_s_(plain_interval_s),
      last_draw_(std::chrono::steady_clock::now()) {}

ProgressDisplay::~ProgressDisplay() { finish(); }

void ProgressDisplay::update(const ingest::Progress& p) {
  check_cancelled();  // a forwarded ingest stops here on its caller's Ctrl-C (what is committed stays)
  if (mode_ == Mode::off) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (mode_ == Mode::tty) {
    if (since < 0.1 && drawn_) return;
    std::string line = format_bar(label_, p, terminal_width());
    std::fprintf(out_, "\r\033[K%s", line.c_str());
    std::fflush(out_);
    drawn_ = true;
    last_draw_ = now;
    return;
  }
  if (since < plain_interval_s_) return;
  std::fprintf(out_, "%s\n", format_plain(label_, p).c_str());
  std::fflush(out_);
  last_draw_ = now;
}

void ProgressDisplay::finish() {
  if (mode_ == Mode::tty && drawn_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace tolteca::cli

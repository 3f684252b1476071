#pragma once
// A terminal progress display for long commands (ingest): on a TTY a bar
// redrawn in place with files/s and ETA; otherwise a plain line every few
// seconds (logs, CI); nothing with --quiet. Writes to stderr.
#include <chrono>
#include <cstdio>
#include <string>

#include "ingest/ingest.h"

namespace tolteca::cli {

class ProgressDisplay {
 public:
  enum class Mode { off, tty, plain };
  // quiet -> off; stderr a TTY -> tty; else plain.
  ProgressDisplay(std::string label, bool quiet);
  ProgressDisplay(std::string label, Mode mode, std::FILE* out, double plain_interval_s = 5.0);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  void update(const ingest::Progress& p);
  // Clears the bar (TTY) so the summary starts on a clean line.
  void finish();
  Mode mode() const { return mode_; }
  ingest::ProgressFn callback() {
    return [this](const ingest::Progress& p) { update(p); };
  }

  // "[#####-----]  52%  5,200/10,000 files  8,123 files/s  ETA 0:01" (width = total columns).
  static std::string format_bar(const std::string& label, const ingest::Progress& p, int width);
  static std::string format_plain(const std::string& label, const ingest::Progress& p);

 private:
  std::string label_;
  Mode mode_;
  std::FILE* out_;
  double plain_interval_s_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

std::string format_eta(double seconds);
std::string format_count(std::int64_t n);  // 1234567 -> "1,234,567"

}  // namespace tolteca::cli

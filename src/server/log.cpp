#include "server/log.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>


namespace tolteca::server {
namespace {

std::string now_iso() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

// A value in the text form: bare when it has no space or quote, else JSON-quoted.
std::string text_value(const nlohmann::json& v) {
  if (!v.is_string()) return v.dump();
  const auto& s = v.get_ref<const std::string&>();
  if (!s.empty() && s.find_first_of(" \"=\t\n") == std::string::npos) return s;
  return v.dump();
}

}  // namespace

ServerLog::ServerLog(const std::string& path, LogFormat format)
    : file_(path.empty() ? stderr : std::fopen(path.c_str(), "ae")), own_(!path.empty()), format_(format) {
  if (!file_) throw std::runtime_error("cannot open log file " + path + ": " + std::strerror(errno));
}

ServerLog::~ServerLog() {
  if (own_ && file_) std::fclose(file_);
}

void ServerLog::write(const nlohmann::json& fields) {
  std::string line;
  if (format_ == LogFormat::json) {
    nlohmann::ordered_json j;
    j["time"] = now_iso();
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
    line = j.dump();
  } else {
    line = now_iso();
    if (fields.contains("event")) line.append(" ").append(text_value(fields["event"]));
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it.key() == "event") continue;
      line.append(" ").append(it.key()).append("=").append(text_value(it.value()));
    }
  }
  line += "\n";
  std::lock_guard<std::mutex> guard(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace tolteca::server

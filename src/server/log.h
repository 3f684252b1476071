#pragma once
// The server's log: one line per request (HTTP) and per job (a forwarded command), to stderr or a
// file (`serve --log FILE`, appended), as text or as one JSON object per line (--log-format json).
#include <cstdio>
#include <mutex>
#include <string>
#include <nlohmann/json.hpp>

namespace tolteca::server {

enum class LogFormat { text, json };

class ServerLog {
 public:
  // path empty: stderr. Throws std::runtime_error when the file cannot be opened.
  ServerLog(const std::string& path, LogFormat format);
  ~ServerLog();
  ServerLog(const ServerLog&) = delete;
  ServerLog& operator=(const ServerLog&) = delete;

  // fields: "event" first ("job", "http", "start", "stop", ...); text form: `time event k=v k=v`.
  void write(const nlohmann::json& fields);

 private:
  std::mutex mutex_;
  std::FILE* file_;
  bool own_;
  LogFormat format_;
};

}  // namespace tolteca::server

#pragma once
// A companion: work the server runs beside its jobs for as long as it serves (the data watcher of
// `serve --watch`). The server gives it a way to open the served registry (writes take their turn
// with the jobs'), runs it on a thread of its own, shows its status in GET /api/v1/health and stops
// it before the registry closes. Like commands, the server knows nothing of what a companion does.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/job.h"

namespace tolteca::server {

class Companion {
 public:
  virtual ~Companion() = default;
  // Works until stop() is called; returns soon after it. An exception ends the companion only
  // (the server logs it and goes on serving).
  virtual void run() = 0;
  // Thread-safe: asks run() to return.
  virtual void stop() = 0;
  // Thread-safe: what it is doing now (a JSON object).
  virtual nlohmann::json status() const = 0;
  // Its key in the health answer ("watch").
  virtual std::string name() const = 0;
};

// A line for the server log (a JSON object: "event" and its fields).
using CompanionLog = std::function<void(const nlohmann::json& fields)>;

// Builds the companion once the registry is hosted.
using MakeCompanion = std::function<std::unique_ptr<Companion>(OpenServed open, CompanionLog log)>;

}  // namespace tolteca::server

#pragma once
// The one open registry a server holds, and the handles it gives its jobs: a reader gets its own
// handle at once (reads run concurrently and see the last committed state); a writer waits for
// the write lock and holds it as long as its handle lives, so writes are serialised.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <semaphore>
#include <string>
#include <vector>

#include "storage/options.h"
#include "storage/registry.h"

namespace tolteca::server {

class RegistryHost {
 public:
  // owner: the registry, opened for writing; database: its file, absolute. max_readers: read
  // handles open at once (at least 2); more readers wait for a slot, so that a burst of queries
  // cannot take every core from the write in flight.
  RegistryHost(std::unique_ptr<storage::Registry> owner, std::string database, int max_readers);
  ~RegistryHost();

  // A handle for a job. url: as the command was given it; it must name the served database
  // (relative paths resolve against the calling thread's working directory), else UserError.
  // ReadOnly: when a read slot is free; ReadWrite/Create: after the writes before it (the wait
  // is the queue).
  std::unique_ptr<storage::Registry> open(const std::string& url, storage::OpenMode mode);

  const std::string& database() const { return database_; }
  // Time of the last write handle's close (zero when none yet).
  std::chrono::system_clock::time_point last_write() const;
  std::int64_t writes_done() const { return writes_done_; }
  bool writing() const { return writing_; }
  // What writes to the registry besides the jobs (the companions, server/companion.h): name ->
  // its status. Register before the listeners start; companion_status() is {name: status(), …}.
  void add_companion_status(std::string name, std::function<nlohmann::json()> status);
  nlohmann::json companion_status() const;
  // Waits for the write in flight, then closes the registry (DuckDB checkpoints on close).
  void close();

 private:
  class Handle;
  std::unique_ptr<storage::Registry> owner_;
  std::string database_;
  std::mutex write_mutex_;
  std::counting_semaphore<1024> read_slots_;
  std::atomic<std::int64_t> writes_done_{0};
  std::atomic<bool> writing_{false};
  std::atomic<std::int64_t> last_write_ns_{0};
  std::vector<std::pair<std::string, std::function<nlohmann::json()>>> companions_;
};

}  // namespace tolteca::server

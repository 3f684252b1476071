#include "server/registry_host.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "model/error.h"
#include "storage/open.h"

namespace tolteca::server {

// A job's handle: the registry's operations under the URL the caller gave (so messages and --json
// read as they would without a server), with the write lock held while it lives for a writer.
class RegistryHost::Handle final : public storage::Registry {
 public:
  // A writer's handle holds `lock`; a reader's (lock not owned) holds a read slot, taken by the caller.
  Handle(RegistryHost& host, std::unique_lock<std::mutex> lock, std::unique_ptr<storage::Registry> inner,
         std::string url_text, std::string display)
      : host_(host), lock_(std::move(lock)), inner_(std::move(inner)), url_text_(std::move(url_text)),
        display_(std::move(display)) {
    if (lock_.owns_lock()) host_.writing_ = true;
  }
  ~Handle() override {
    inner_.reset();  // its transaction, if any, ends before the next writer starts
    if (!lock_.owns_lock()) {
      host_.read_slots_.release();
      return;
    }
    host_.writing_ = false;
    host_.writes_done_++;
    host_.last_write_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  }
  const std::string& url_text() const override { return url_text_; }
  std::string display_name() const override { return display_; }
  bool read_only() const override { return inner_->read_only(); }
  std::vector<std::string> own_files() const override { return inner_->own_files(); }
  std::unique_ptr<storage::Registry> another_handle(storage::OpenMode mode) const override {
    return inner_->another_handle(mode);
  }
  storage::IngestStore& ingest() override { return inner_->ingest(); }
  storage::QueryStore& query() override { return inner_->query(); }
  storage::AdminStore& admin() override { return inner_->admin(); }
  storage::LocationStore& locations() override { return inner_->locations(); }
  storage::AssocStore& assoc() override { return inner_->assoc(); }
  storage::FixtureStore& fixtures() override { return inner_->fixtures(); }

 private:
  RegistryHost& host_;
  std::unique_lock<std::mutex> lock_;
  std::unique_ptr<storage::Registry> inner_;
  std::string url_text_, display_;
};

RegistryHost::RegistryHost(std::unique_ptr<storage::Registry> owner, std::string database, int max_readers)
    : owner_(std::move(owner)), database_(std::move(database)), read_slots_(std::clamp(max_readers, 2, 1024)) {}

RegistryHost::~RegistryHost() = default;

std::unique_ptr<storage::Registry> RegistryHost::open(const std::string& url, storage::OpenMode mode) {
  const auto parsed = storage::parse_registry_url(url);
  std::error_code ec;
  const auto asked = std::filesystem::weakly_canonical(std::filesystem::absolute(parsed.path), ec);
  if (parsed.in_memory() || ec || asked.string() != database_)
    throw UserError(fmt::format("this server serves {}, not {}", database_, parsed.path));
  std::unique_lock<std::mutex> guard(write_mutex_, std::defer_lock);
  if (!owner_) throw UserError(fmt::format("the server of {} is stopping", database_));
  if (mode == storage::OpenMode::ReadOnly)
    return std::make_unique<Handle>(*this, std::move(guard), owner_->another_handle(storage::OpenMode::ReadOnly),
                                         url, parsed.path);
  guard.lock();
  if (!owner_) throw UserError(fmt::format("the server of {} is stopping", database_));
  return std::make_unique<Handle>(*this, std::move(guard), owner_->another_handle(storage::OpenMode::ReadWrite),
                                       url, parsed.path);
}

std::chrono::system_clock::time_point RegistryHost::last_write() const {
  return std::chrono::system_clock::time_point(std::chrono::nanoseconds(last_write_ns_.load()));
}

void RegistryHost::close() {
  std::lock_guard<std::mutex> guard(write_mutex_);
  owner_.reset();
}

void RegistryHost::add_companion_status(std::string name, std::function<nlohmann::json()> status) {
  companions_.emplace_back(std::move(name), std::move(status));
}

nlohmann::json RegistryHost::companion_status() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, status] : companions_) j[name] = status();
  return j;
}

}  // namespace tolteca::server

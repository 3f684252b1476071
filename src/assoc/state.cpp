#include "assoc/state.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "assoc/errors.h"
#include "files/output_file.h"
#include "model/error.h"

namespace fs = std::filesystem;

namespace tolteca::assoc {

namespace {
constexpr const char* kStateFile = "assoc_state.json";
}

std::string EngineState::to_json() const {
  nlohmann::json j;
  j["version"] = version;
  j["instance_id"] = instance_id;
  j["updated_at"] = updated_at;
  j["rules"] = nlohmann::json::object();
  for (const auto& [name, r] : rules) {
    nlohmann::json rj{{"watermark", r.watermark}, {"raw_count", r.raw_count}, {"raw_max_id", r.raw_max_id}};
    if (r.last_vna_time) rj["last_vna_time"] = *r.last_vna_time;
    j["rules"][name] = rj;
  }
  return j.dump();
}

EngineState EngineState::from_json(const std::string& text, const std::string& where) {
  EngineState s;
  try {
    auto j = nlohmann::json::parse(text);
    s.version = j.at("version").get<int>();
    if (s.version != 1) throw UserError(fmt::format("association state {} has version {} (expected 1)", where, s.version));
    s.instance_id = j.value("instance_id", "");
    s.updated_at = j.value("updated_at", "");
    for (const auto& [name, rj] : j.at("rules").items()) {
      RuleState r;
      r.watermark = rj.at("watermark").get<std::int64_t>();
      r.raw_count = rj.at("raw_count").get<std::int64_t>();
      r.raw_max_id = rj.at("raw_max_id").get<std::int64_t>();
      if (rj.contains("last_vna_time")) r.last_vna_time = rj.at("last_vna_time").get<std::int64_t>();
      s.rules[name] = r;
    }
  } catch (const nlohmann::json::exception& e) {
    throw BadStateDocument(where, e.what());
  }
  return s;
}

StateStore::StateStore(storage::AssocStore& repo, StateOptions options) : repo_(repo), options_(std::move(options)) {
  if (options_.backend == StateBackend::filesystem && options_.dir.empty()) throw StateDirMissing();
}

std::string StateStore::location() const {
  if (in_database()) return "table assoc_state";
  return (fs::path(options_.dir) / kStateFile).string();
}

std::optional<EngineState> StateStore::load() {
  if (in_database()) {
    auto text = repo_.read_state();
    if (!text) return std::nullopt;
    return EngineState::from_json(*text, location());
  }
  const fs::path p = location();
  std::error_code ec;
  if (!fs::exists(p, ec)) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) throw UserError(fmt::format("cannot read association state {}: {}", p.string(), std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  return EngineState::from_json(ss.str(), p.string());
}

void StateStore::save(const EngineState& state) {
  if (in_database()) {
    repo_.write_state(state.to_json());
    return;
  }
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) throw UserError(fmt::format("cannot create state directory {}: {}", options_.dir, ec.message()));
  files::write_file_atomically(location(), state.to_json() + "\n");
}

void StateStore::clear() {
  if (in_database()) {
    repo_.delete_state();
    return;
  }
  std::error_code ec;
  fs::remove(location(), ec);
  if (ec) throw UserError(fmt::format("cannot remove {}: {}", location(), ec.message()));
}

std::int64_t StateStore::size_bytes() {
  if (in_database()) {
    auto t = repo_.read_state();
    return t ? static_cast<std::int64_t>(t->size()) : 0;
  }
  std::error_code ec;
  auto n = fs::file_size(location(), ec);
  return ec ? 0 : static_cast<std::int64_t>(n);
}

}  // namespace tolteca::assoc

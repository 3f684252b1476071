// db export: table files + manifest.json into a temporary directory, swapped into place (see db/backup.h).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "storage/duckdb/admin.h"
#include "storage/duckdb/backup.h"
#include "storage/duckdb/schema.h"
#include "files/output_file.h"
#include "files/sha256.h"
#include "model/error.h"
#include "storage/errors.h"
#include "model/time.h"
#include "tolteca/version.h"

namespace fs = std::filesystem;

namespace tolteca::storage::duckdb {

namespace {

std::string format_ext(ExportFormat f) { return f == ExportFormat::parquet ? "parquet" : "csv"; }
std::string format_options(ExportFormat f) {
  return f == ExportFormat::parquet ? "(FORMAT PARQUET)" : "(FORMAT CSV, HEADER true)";
}

// With --force a non-empty directory is replaced only when it looks like an export: a typo
// (`db export ~ --force`) must not delete a home directory.
void check_replaceable(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || fs::is_empty(dir, ec)) return;
  const auto& known = schema_tables();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const std::string stem = e.path().stem().string(), ext = e.path().extension().string();
    const bool table_file = (ext == ".parquet" || ext == ".csv") &&
                            std::find(known.begin(), known.end(), stem) != known.end();
    if (!e.is_regular_file() || !(name == kManifestFile || table_file))
      throw storage::NotAnExport(dir, name);
  }
}

std::string now_iso8601() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return format_iso8601(us);
}

// Fault injection (BackupExportOptions::kill_after_tables): a kill after N table files.
void maybe_kill_for_test(const storage::BackupExportOptions& options, std::size_t written) {
  if (options.kill_after_tables && *options.kill_after_tables >= 0 &&
      static_cast<long>(written) >= *options.kill_after_tables)
    std::raise(SIGKILL);
}

}  // namespace

std::vector<ExportedFile> export_tables(Session& s, const std::string& out_dir, const std::vector<std::string>& tables,
                                        ExportFormat format, bool force,
                                        const storage::BackupExportOptions& options) {
  const auto& known = schema_tables();
  std::vector<std::string> chosen = tables.empty() ? known : tables;
  for (const auto& t : chosen)
    if (std::find(known.begin(), known.end(), t) == known.end())
      throw UserError(fmt::format("unknown table '{}'; tables are: {}", t, fmt::join(known, ", ")));
  files::OutputPolicy policy{force, s.own_files()};
  files::check_output_target(out_dir, files::OutputKind::directory, policy);
  if (force) check_replaceable(out_dir);
  files::OutputDir dir(out_dir, policy);
  nlohmann::json manifest{{"tool", "tolteca_db"},
                          {"tool_version", kVersion},
                          {"duckdb_version", library_version()},
                          {"schema_version", kSchemaVersion},
                          {"created_at", now_iso8601()},
                          {"format", format_ext(format)},
                          {"tables", nlohmann::json::array()}};
  std::vector<ExportedFile> out;
  for (const auto& t : chosen) {
    const std::string file = t + "." + format_ext(format);
    const std::string tmp = (fs::path(dir.temp_path()) / file).string();
    auto res = s.con().query(fmt::format("COPY (SELECT * FROM {} ORDER BY ALL) TO {} {}", quote_identifier(t),
                                         quote_literal(tmp), format_options(format)));
    ExportedFile f{t, (fs::path(dir.target()) / file).string(), res.rows_changed(), files::sha256_hex_file(tmp)};
    manifest["tables"].push_back({{"table", t}, {"file", file}, {"rows", f.rows}, {"sha256", f.sha256}});
    out.push_back(std::move(f));
    maybe_kill_for_test(options, out.size());
  }
  // Last: an export without its manifest is an incomplete one.
  files::write_file_atomically((fs::path(dir.temp_path()) / kManifestFile).string(), manifest.dump(2) + "\n");
  dir.commit();
  return out;
}

}  // namespace tolteca::storage::duckdb

// db import: verify the manifest, read every file literally, restore in one transaction (see db/backup.h).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "storage/duckdb/admin.h"
#include "storage/duckdb/backup.h"
#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/schema.h"
#include "files/sha256.h"
#include "files/unique_fd.h"
#include "model/error.h"
#include "storage/errors.h"

namespace fs = std::filesystem;

namespace tolteca::storage::duckdb {

namespace {

// Exports of these versions hold the tables this one imports (version 2 added only derived data).
constexpr int kOldestImportableVersion = 1;
bool importable_version(int v) { return v >= kOldestImportableVersion && v <= kSchemaVersion; }


struct Entry {
  std::string table;
  std::string file;  // a plain name inside the export directory
  std::optional<std::int64_t> rows;
  std::optional<std::string> sha256;
};

struct Export {
  std::string dir;
  std::string format;         // parquet | csv
  std::vector<Entry> tables;  // in the manifest's order (or schema order without one)
  bool has_manifest = false;
  const Entry* find(const std::string& t) const {
    for (const auto& e : tables)
      if (e.table == t) return &e;
    return nullptr;
  }
};

bool known_table(const std::string& t) {
  const auto& k = schema_tables();
  return std::find(k.begin(), k.end(), t) != k.end();
}

Export read_manifest(const std::string& dir) {
  const fs::path p = fs::path(dir) / kManifestFile;
  std::string text;
  {
    const files::UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
      throw storage::ExportRefused(storage::ExportRefused::Problem::no_manifest, dir, {}, {}, {});
    char buf[65536];
    for (ssize_t n; (n = ::read(fd.get(), buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  }
  Export ex{dir, "", {}, true};
  try {
    auto j = nlohmann::json::parse(text);
    const int version = j.at("schema_version").get<int>();
    if (!importable_version(version))
      throw UserError(fmt::format("export in {} has schema version {}, this database has {} (importable: {} to {})",
                                  dir, version, kSchemaVersion, kOldestImportableVersion, kSchemaVersion));
    ex.format = j.at("format").get<std::string>();
    if (ex.format != "parquet" && ex.format != "csv")
      throw UserError(fmt::format("{}: unknown format '{}' in {}", dir, ex.format, kManifestFile));
    for (const auto& t : j.at("tables")) {
      Entry e{t.at("table").get<std::string>(), t.at("file").get<std::string>(), t.at("rows").get<std::int64_t>(),
              t.at("sha256").get<std::string>()};
      if (!known_table(e.table))
        throw UserError(fmt::format("{}: {} lists unknown table '{}'", dir, kManifestFile, e.table));
      if (e.file != e.table + "." + ex.format)
        throw UserError(fmt::format("{}: {} gives table {} the file '{}' (expected {}.{})", dir, kManifestFile,
                                    e.table, e.file, e.table, ex.format));
      ex.tables.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}/{} is not a valid manifest: {}", dir, kManifestFile, e.what()));
  }
  return ex;
}

// --no-verify: the table files present (parquet preferred), no checksums.
Export scan_unverified(const std::string& dir) {
  Export ex{dir, "", {}, false};
  std::error_code ec;
  for (const auto& t : schema_tables())
    for (const char* f : {"parquet", "csv"})
      if (fs::is_regular_file(fs::path(dir) / (t + "." + f), ec)) {
        ex.tables.push_back({t, t + "." + f, std::nullopt, std::nullopt});
        break;
      }
  if (ex.tables.empty()) throw UserError(fmt::format("{} holds no table files of a 'db export'", dir));
  return ex;
}

// The tables to restore: --tables (each in the export), else all of them (the export must be complete);
// closed under table_dependencies.
std::vector<std::string> choose_tables(const Export& ex, const std::vector<std::string>& wanted) {
  std::vector<std::string> chosen;
  if (wanted.empty()) {
    std::vector<std::string> missing;
    for (const auto& t : schema_tables())
      if (!ex.find(t)) missing.push_back(t);
    if (!missing.empty())
      throw storage::ExportRefused(storage::ExportRefused::Problem::incomplete, ex.dir, {},
                                   fmt::format("{}", fmt::join(missing, ", ")), {});
    chosen = schema_tables();
  } else {
    for (const auto& t : wanted) {
      if (!known_table(t))
        throw UserError(fmt::format("unknown table '{}'; tables are: {}", t, fmt::join(schema_tables(), ", ")));
      if (!ex.find(t)) throw storage::ExportRefused(storage::ExportRefused::Problem::table_not_in_it, ex.dir, t, {}, {});
      if (std::find(chosen.begin(), chosen.end(), t) == chosen.end()) chosen.push_back(t);
    }
  }
  for (const auto& t : chosen)
    for (const auto& dep : table_dependencies(t))
      if (std::find(chosen.begin(), chosen.end(), dep) == chosen.end())
        throw storage::ExportRefused(storage::ExportRefused::Problem::subset_lacks_dep, ex.dir, t,
                                     fmt::format("{}", fmt::join(table_dependencies(t), " and ")), dep);
  return chosen;
}

// Open files of the export, read by DuckDB through /proc/self/fd/N (no glob expansion of DIR).
// The descriptors stay open (owned here) until the import is done.
class OpenFiles {
 public:
  // Opens and checks the file; returns the literal path DuckDB is to read.
  std::string open(const Export& ex, const Entry& e) {
    const std::string path = (fs::path(ex.dir) / e.file).string();
    files::UniqueFd owned(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!owned)
      throw UserError(fmt::format("export in {}: table {}: file {} is missing or unreadable ({}); nothing imported",
                                  ex.dir, e.table, e.file, std::strerror(errno)));
    const int fd = owned.get();
    fds_.push_back(std::move(owned));
    if (e.sha256) {
      auto sum = files::sha256_hex_fd(fd, path);
      if (sum != *e.sha256)
        throw UserError(fmt::format("export in {}: table {}: file {} has SHA-256 {}, the manifest says {} (altered or "
                                    "damaged); nothing imported",
                                    ex.dir, e.table, e.file, sum, *e.sha256));
    }
    std::string literal = fmt::format("/proc/self/fd/{}", fd);
    if (fs::exists(literal)) return literal;
    if (path.find_first_of("*?[]{}") != std::string::npos)
      throw UserError(fmt::format("cannot read {} literally on this system (no /proc/self/fd): rename the directory "
                                  "without * ? [ ] {{ }}",
                                  path));
    return path;
  }

 private:
  std::vector<files::UniqueFd> fds_;
};

std::string reader_sql(const std::string& format, const std::string& path) {
  return format == "parquet" ? fmt::format("read_parquet({})", quote_literal(path))
                             : fmt::format("read_csv({}, header = true)", quote_literal(path));
}

void advance_sequences(Connection& con) {
  // DuckDB has no ALTER SEQUENCE ... RESTART: advance each past the max id.
  for (const auto& t : schema_tables()) {
    const char* seq = table_sequence(t);
    if (!seq) continue;
    auto max_id = con.scalar_int(fmt::format("SELECT coalesce(max(id), 0) FROM {}", t)).value_or(0);
    con.execute(fmt::format("SELECT max(nextval('{}')) FROM range({})", seq, max_id));
  }
  // seq_ingest feeds products.ingest_seq.
  auto max_seq = con.scalar_int("SELECT coalesce(max(ingest_seq), 0) FROM products").value_or(0);
  con.execute(fmt::format("SELECT max(nextval('seq_ingest')) FROM range({})", max_seq));
}

}  // namespace

const std::vector<std::string>& table_dependencies(const std::string& table) {
  static const std::map<std::string, std::vector<std::string>> deps = {
      {"sources", {"products", "locations"}},
      {"edges", {"products"}},
      {"assoc_state", {"products", "edges"}},
  };
  static const std::vector<std::string> none;
  auto it = deps.find(table);
  return it == deps.end() ? none : it->second;
}

std::vector<ExportedFile> import_tables(Session& s, const std::string& in_dir, const ImportOptions& options) {
  if (!fs::is_directory(in_dir)) throw UserError(fmt::format("import directory {} does not exist", in_dir));
  const Export ex = options.verify ? read_manifest(in_dir) : scan_unverified(in_dir);
  const auto chosen = choose_tables(ex, options.tables);
  auto& con = s.con();
  if (con.scalar_int("SELECT count(*) FROM products").value_or(0) > 0 ||
      con.scalar_int("SELECT count(*) FROM sources").value_or(0) > 0)
    throw UserError(fmt::format("database {} is not empty; import restores into an empty database only",
                                s.display_name()));
  // Every file opened and checked before anything is written.
  OpenFiles files;
  std::map<std::string, std::string> readers;
  for (const auto& t : chosen) {
    const Entry& e = *ex.find(t);
    const std::string fmt_name = ex.has_manifest ? ex.format : fs::path(e.file).extension().string().substr(1);
    readers[t] = reader_sql(fmt_name, files.open(ex, e));
  }
  if (!ex.has_manifest && readers.count("schema_meta")) {
    auto v = con.scalar_string(fmt::format("SELECT value FROM {} WHERE key = 'schema_version'", readers["schema_meta"]));
    int version = 0;
    if (v) std::from_chars(v->data(), v->data() + v->size(), version);
    if (!importable_version(version))
      throw UserError(fmt::format("export in {} has schema version {}, this database has {} (importable: {} to {})",
                                  in_dir, v.value_or("?"), kSchemaVersion, kOldestImportableVersion, kSchemaVersion));
  }
  std::vector<ExportedFile> out;
  Transaction tx(con);
  for (const auto& t : chosen) {
    const Entry& e = *ex.find(t);
    if (t == "schema_meta") continue;  // this database's own version row stays
    con.execute(fmt::format("DELETE FROM {}", quote_identifier(t)));
    auto res = con.query(fmt::format("INSERT INTO {} BY NAME SELECT * FROM {}", quote_identifier(t), readers[t]));
    const std::int64_t rows = res.rows_changed();
    if (e.rows && rows != *e.rows)
      throw UserError(fmt::format("export in {}: table {}: file {} holds {} row(s), the manifest says {}; nothing "
                                  "imported",
                                  in_dir, t, e.file, rows, *e.rows));
    out.push_back({t, (fs::path(in_dir) / e.file).string(), rows, e.sha256.value_or("")});
  }
  advance_sequences(con);
  rebuild_file_summaries(con);  // derived, not exported
  tx.commit();
  return out;
}

}  // namespace tolteca::storage::duckdb

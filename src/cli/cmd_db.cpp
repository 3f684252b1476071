// `tolteca_db db …`: init, info, export, import, vacuum.
#include <fmt/format.h>

#include <iostream>

#include "cli/common.h"
#include <filesystem>

#include "storage/registry.h"
#include "ingest/data_root.h"
#include "ingest/ingest.h"
#include "model/error.h"

namespace tolteca::cli {

namespace {

nlohmann::json location_json(const storage::Location& l) {
  return {{"id", l.id}, {"label", l.label}, {"root_path", l.root_path}, {"priority", l.priority}};
}

// The location db init was asked for: created, or updated when its root is the same or nothing is
// recorded under it yet. Re-rooting a location with files is refused (the relative paths would then
// point elsewhere and a re-ingest would duplicate every file): `db location move` does that consistently.
storage::Location init_location(storage::Registry& s, const std::string& label, const std::string& data_root,
                           std::int64_t priority) {
  const std::string root = ingest::absolute_root(data_root);
  if (auto existing = s.locations().find(label);
      existing && ingest::canonical_path(existing->root_path) != ingest::canonical_path(root)) {
    auto u = s.locations().usage(existing->id);
    if (u.files > 0)
      throw UserError(fmt::format(
          "location {} has data root {} and {} file(s) recorded relative to it; db init does not re-root it. If the "
          "archive moved, or to take in a parent directory: tolteca_db db location move {} {}; for a second copy: "
          "tolteca_db db location add LABEL {}",
          label, existing->root_path, u.files, label, root, root));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec))
    cli::err() << fmt::format("tolteca_db: warning: data root {} does not exist (yet)\n", root);
  return s.locations().upsert(label, root, priority);
}

void register_init(CLI::App& db) {
  struct Opts {
    DbOptions db;
    std::string location = "LMT", data_root;
    std::int64_t priority = 0;
    bool registry = true, json = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = db.add_subcommand("init", "Create the schema and registries (idempotent); optionally add a location");
  add_db_options(cmd, o->db);
  auto* loc_opt = cmd->add_option("--location", o->location, "Label of the location --data-root names")
                      ->capture_default_str();
  cmd->add_option("--data-root", o->data_root,
                  "Data root of the location (the directory holding tel/ and toltec/); stored absolute: ~ expanded, "
                  "normalised, symlinks kept; a root that does not exist is a warning");
  cmd->add_option("--priority", o->priority, "Location priority (higher is preferred)");
  cmd->add_flag("--registry,!--no-registry", o->registry,
                "Fill the registries of product types, association types and data kinds (default). They are part "
                "of the schema the engine needs, so --no-registry (seed compatibility) still fills them, with a note");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd,
               "  tolteca_db db init\n"
               "  tolteca_db db init --url duckdb:///toltec.duckdb\n"
               "  tolteca_db db init --db duckdb:////archive/toltec.duckdb --location LMT --data-root /data_lmt\n"
               "  tolteca_db db init --location LMT --data-root /data_lmt --json\n");
  cmd->callback([o, loc_opt] {
    if (o->data_root.empty() && loc_opt->count() > 0) throw UserError("--location needs --data-root");
    auto s = open_registry(o->db, storage::OpenMode::Create);
    if (!o->registry && !o->quiet)
      cli::err() << "tolteca_db: note: --no-registry: the registries are part of the schema and were filled anyway\n";
    std::optional<storage::Location> loc;
    if (!o->data_root.empty()) loc = init_location(*s, o->location, o->data_root, o->priority);
    if (o->json) {
      nlohmann::json j{{"url", s->url_text()}, {"created", s->admin().created_schema()}};
      j["location"] = loc ? location_json(*loc) : nlohmann::json(nullptr);
      print_json(cli::out(), j);
      return;
    }
    if (o->quiet) return;
    cli::out() << (s->admin().created_schema() ? fmt::format("initialised database {}\n", s->display_name())
                                      : fmt::format("database {} is already initialised\n", s->display_name()));
    if (loc) cli::out() << fmt::format("location {} -> {}\n", loc->label, loc->root_path);
  });
}

nlohmann::json info_json(const storage::RegistryInfo& info) {
  nlohmann::json j{{"url", info.url},
                   {"path", info.path},
                   {"duckdb_version", info.backend_version},
                   {"schema_version", info.schema_version}};
  j["file_size"] = info.file_size ? nlohmann::json(*info.file_size) : nlohmann::json(nullptr);
  j["tables"] = nlohmann::json::object();
  for (const auto& t : info.tables) j["tables"][t.table] = t.rows;
  j["locations"] = nlohmann::json::array();
  for (const auto& l : info.locations) j["locations"].push_back(location_json(l));
  // The registries, so scripts can see what the database knows.
  auto registry = [](const std::vector<storage::RegistryInfo::Registry>& rows) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : rows) arr.push_back({{"name", r.name}, {"description", r.description}});
    return arr;
  };
  j["product_types"] = registry(info.product_types);
  j["assoc_types"] = registry(info.assoc_types);
  j["data_kinds"] = nlohmann::json::array();
  for (const auto& k : info.data_kinds)
    j["data_kinds"].push_back({{"name", k.name}, {"bit", k.bit}, {"description", k.description}});
  return j;
}

// CSV/TSV: rows section, key, value (like `query stats`).
Table info_rows(const storage::RegistryInfo& info) {
  Table t{{"section", "key", "value"}, {}, {false, false, false}};
  t.rows.push_back({"database", "url", info.url});
  t.rows.push_back({"database", "duckdb_version", info.backend_version});
  t.rows.push_back({"database", "schema_version", std::to_string(info.schema_version)});
  t.rows.push_back({"database", "file_size", info.file_size ? std::to_string(*info.file_size) : ""});
  for (const auto& tc : info.tables) t.rows.push_back({"tables", tc.table, std::to_string(tc.rows)});
  for (const auto& l : info.locations) t.rows.push_back({"locations", l.label, l.root_path});
  return t;
}

void register_info(CLI::App& db) {
  struct Opts {
    DbOptions db;
    FormatOptions out;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = db.add_subcommand("info", "Show URL, versions, size, row count per table and locations");
  add_db_options(cmd, o->db);
  add_format_options(cmd, o->out);
  set_examples(cmd, "  tolteca_db db info\n  tolteca_db db info --json\n  tolteca_db db info --format csv\n");
  cmd->callback([o] {
    auto format = o->out.resolve();
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto info = s->admin().info();
    if (format == OutputFormat::json) return print_json(cli::out(), info_json(info));
    if (format != OutputFormat::table) return print_table(cli::out(), info_rows(info), format);
    print_key_values(cli::out(), {{"url", info.url},
                                 {"duckdb", info.backend_version},
                                 {"schema version", std::to_string(info.schema_version)},
                                 {"file size", info.file_size ? human_bytes(double(*info.file_size)) : "(in memory)"}});
    cli::out() << '\n';
    Table t{{"table", "rows"}, {}, {false, true}};
    for (const auto& tc : info.tables) t.rows.push_back({tc.table, std::to_string(tc.rows)});
    print_table(cli::out(), t, OutputFormat::table);
    cli::out() << '\n';
    if (info.locations.empty()) {
      cli::out() << "no locations (add one: tolteca_db db init --location LABEL --data-root PATH)\n";
    } else {
      Table lt{{"location", "root", "priority"}, {}, {false, false, true}};
      lt.whole = {true, true, false};
      for (const auto& l : info.locations) lt.rows.push_back({l.label, l.root_path, std::to_string(l.priority)});
      print_table(cli::out(), lt, OutputFormat::table);
    }
  });
}

std::vector<std::string> split_csv(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void print_files(const std::vector<storage::ExportedFile>& files, bool json, bool quiet, const char* verb) {
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& f : files)
      arr.push_back({{"table", f.table}, {"path", f.path}, {"rows", f.rows}, {"sha256", f.sha256}});
    print_json(cli::out(), arr);
    return;
  }
  if (quiet) return;
  Table t{{"table", "rows", "file"}, {}, {false, true, false}};
  for (const auto& f : files) t.rows.push_back({f.table, std::to_string(f.rows), f.path});
  print_table(cli::out(), t, OutputFormat::table);
  cli::out() << fmt::format("{} {} table(s)\n", verb, files.size());
}

void register_export(CLI::App& db) {
  struct Opts {
    DbOptions db;
    std::string out_dir, tables, format = "parquet";
    bool json = false, force = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = db.add_subcommand("export", "Write one file per table (DuckDB COPY), for backup or exchange");
  cmd->add_option("OUTPUT_DIR", o->out_dir,
                  "Directory to create (must not exist or be empty); written beside it, then renamed into place, "
                  "with manifest.json (row counts, SHA-256 per file)")
      ->required();
  add_db_options(cmd, o->db);
  cmd->add_option("--tables", o->tables, "Comma-separated tables (default: all)");
  cmd->add_option("--format", o->format, "parquet or csv")->check(CLI::IsMember({"parquet", "csv"}))->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing export in OUTPUT_DIR (never the open database)");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd, "  tolteca_db db export backup/\n  tolteca_db db export out/ --tables products,sources --format csv\n");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadOnly);
    auto files = s->admin().export_backup(o->out_dir, split_csv(o->tables),
                                           o->format == "csv" ? storage::BackupFormat::csv : storage::BackupFormat::parquet,
                                           o->force, backup_export_options_from_env());
    print_files(files, o->json, o->quiet, "exported");
  });
}

void register_import(CLI::App& db) {
  struct Opts {
    DbOptions db;
    std::string in_dir, tables;
    bool json = false, no_verify = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = db.add_subcommand("import", "Restore a 'db export' directory into an empty database");
  cmd->add_option("DIR", o->in_dir, "Directory written by 'db export' (taken literally; its manifest is verified)")
      ->required();
  add_db_options(cmd, o->db);
  cmd->add_option("--tables", o->tables,
                  "Comma-separated subset to restore; it must be self-consistent (sources need products and "
                  "locations, edges need products)");
  cmd->add_flag("--no-verify", o->no_verify,
                "Restore an export that has no manifest.json (made before manifests): no checksums");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd,
               "  tolteca_db db import backup/ --db duckdb:///./restored.duckdb\n"
               "  tolteca_db db import backup/ --tables locations,products,sources --db subset.duckdb\n");
  cmd->callback([o] {
    storage::BackupImportOptions opts{split_csv(o->tables), !o->no_verify};
    auto s = open_registry(o->db, storage::OpenMode::Create);
    print_files(s->admin().import_backup(o->in_dir, opts), o->json, o->quiet, "imported");
  });
}

void register_vacuum(CLI::App& db) {
  struct Opts {
    DbOptions db;
    bool analyze = false, json = false, quiet = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = db.add_subcommand("vacuum", "CHECKPOINT, VACUUM and ANALYZE; report the size before and after");
  add_db_options(cmd, o->db);
  cmd->add_flag("--analyze", o->analyze,
                "Refresh the query planner's statistics (ANALYZE); done on every vacuum, accepted for the seed");
  add_json_flag(cmd, o->json);
  add_quiet_flag(cmd, o->quiet);
  set_examples(cmd, "  tolteca_db db vacuum\n  tolteca_db db vacuum --analyze\n");
  cmd->callback([o] {
    auto s = open_registry(o->db, storage::OpenMode::ReadWrite);
    auto r = s->admin().vacuum();
    auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    if (o->json) {
      print_json(cli::out(), {{"size_before", opt(r.size_before)}, {"size_after", opt(r.size_after)}});
      return;
    }
    if (o->quiet) return;
    auto h = [](const std::optional<std::int64_t>& v) { return v ? human_bytes(double(*v)) : std::string("-"); };
    cli::out() << fmt::format("vacuumed {}: {} -> {}\n", s->display_name(), h(r.size_before), h(r.size_after));
  });
}

}  // namespace

void register_db_commands(CLI::App& app) {
  auto* db = app.add_subcommand("db", "Database management: init, info, export, import, vacuum, location");
  db->require_subcommand(1);
  register_init(*db);
  register_info(*db);
  register_export(*db);
  register_import(*db);
  register_vacuum(*db);
  register_location_commands(*db);
}

}  // namespace tolteca::cli

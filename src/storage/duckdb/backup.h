#pragma once
// `db export` / `db import`: one file per table plus a manifest, restored
// only when the manifest vouches for every byte.
//
// Export (export_tables):
// - refuses a non-empty existing directory unless force (and even then only
//   one that looks like an export: manifest.json and <table>.parquet|csv
//   files only), always one that holds the open database;
// - writes every table with DuckDB COPY into a temporary sibling directory,
//   then manifest.json LAST, then swaps the directory into place
//   (files::OutputDir): a kill leaves the old export or nothing.
// - manifest.json: {"tool", "tool_version", "duckdb_version",
//   "schema_version", "created_at", "format", "tables": [{"table", "file",
//   "rows", "sha256"}]}.
// - Test hook: options.kill_after_tables = N makes the process SIGKILL
//   itself after writing N table files (a kill mid-way, deterministic; the
//   CLI sets it from TOLTECA_FAULT_EXPORT_KILL_AFTER).
//
// Import (import_tables):
// - DIR is taken literally: each file is opened here and DuckDB reads it as
//   /proc/self/fd/N, so `[` `]` `*` `?` in DIR are never a glob; the SHA-256
//   of the same open file is checked against the manifest before anything is
//   written, and the row count DuckDB read against the manifest's;
// - refuses (UserError naming the table and what differs) a missing
//   manifest, a schema version other than this build's, a missing file, a
//   checksum or row-count mismatch, an export that lacks tables (a --tables
//   export) unless --tables names the subset to restore, and a subset that is
//   not self-consistent (sources need products and locations, edges need
//   products, assoc_state needs products and edges);
// - verify=false (--no-verify) restores an export without a manifest (made
//   before manifests existed): the files present, still read literally, the
//   same completeness and consistency rules;
// - into a database with no products or sources, in one transaction: on any
//   error nothing is imported.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/admin_store.h"
#include "storage/duckdb/session.h"

namespace tolteca::storage::duckdb {

using ExportFormat = storage::BackupFormat;
using storage::ExportedFile;
using storage::kManifestFile;

// tables empty = all. Throws UserError for an unknown table name or a refused target.
std::vector<ExportedFile> export_tables(Session& s, const std::string& out_dir, const std::vector<std::string>& tables,
                                        ExportFormat format, bool force = false,
                                        const storage::BackupExportOptions& options = {});

using ImportOptions = storage::BackupImportOptions;

// Restores an export into a database with no observations (one transaction);
// advances the id sequences past the restored ids.
std::vector<ExportedFile> import_tables(Session& s, const std::string& in_dir, const ImportOptions& options = {});

// The tables a restored `table` refers to (sources -> products, locations; ...).
const std::vector<std::string>& table_dependencies(const std::string& table);

}  // namespace tolteca::storage::duckdb

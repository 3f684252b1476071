#pragma once
// Typed errors of the storage interface. Each carries the facts (which
// registry, which value, what was expected) and a what() that names no
// command-line flag; the CLI (cli/errors.h) phrases them with its flags.
// All derive from UserError (exit 1): they are the user's input or the
// user's environment, never a bug.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/error.h"

namespace tolteca::storage {

// The registry does not exist and the open mode may not create it.
struct RegistryMissing : UserError {
  RegistryMissing(std::string shown_name, std::string url_text);
  std::string shown_name;  // the path as shown in messages (shortened when very long)
  std::string url_text;    // the URL as the user gave it (or shown_name when very long)
};

// Another process holds the single-writer lock (after OpenOptions::wait_seconds).
struct RegistryLocked : UserError {
  RegistryLocked(std::string name, std::optional<std::int64_t> pid);
  std::string name;
  std::optional<std::int64_t> pid;  // the holder, when the backend knows it
};

// The registry exists but may not be written (a read-only open would work).
struct RegistryNotWritable : UserError {
  enum class Where { file, directory };
  // file: reason is strerror ("Permission denied"). directory: the directory
  // holding the file (and the backend's side files, DuckDB's .wal) is not
  // writable; reason is the sentence saying so.
  RegistryNotWritable(Where where, std::string shown_name, std::string reason);
  Where where;
  std::string shown_name;
  std::string reason;
};

// A negative row limit.
struct NegativeLimit : UserError {
  explicit NegativeLimit(std::int64_t limit);
  std::int64_t limit;
};

// An export of something that is neither a view (obs, files, groups, edges) nor a table.
struct UnknownExportWhat : UserError {
  UnknownExportWhat(std::string what, std::vector<std::string> tables);
  std::string target;  // what was asked for
  std::vector<std::string> tables;  // the tables one may export
};

// Observation specs given for an export of a plain table.
struct SpecsOnTable : UserError {
  explicit SpecsOnTable(std::string table);
  std::string table;
};

// A filter term (COLUMN OP VALUE) on an export column that does not exist,
// has another type, or does not take the operator.
struct BadExportFilter : UserError {
  enum class Problem { unknown_column, wrong_value_type, text_operator };
  BadExportFilter(Problem problem, std::string what, std::string column, std::string op, std::string value,
                  std::string detail);
  Problem problem;
  std::string target;   // the export (obs, files, ...)
  std::string column, op, value;
  // unknown_column: the export's columns, comma separated; wrong_value_type:
  // what the column needs ("an integer"); text_operator: the column's type.
  std::string detail;
};

// The registry's file is not a registry this version may open as is.
struct SchemaRefused : UserError {
  enum class Problem {
    no_schema,     // a database without any tolteca table (create the schema first)
    lost_version,  // a complete schema whose schema_version row is gone (creating the schema repairs it)
    older,         // an older schema version (creating the schema migrates it)
    incomplete,    // an unversioned, incomplete tolteca schema: refused (restore it or use another registry)
    foreign,       // another application's database: refused (use another registry)
  };
  SchemaRefused(Problem problem, std::string name, int version, int current, std::string found, std::string missing);
  Problem problem;
  std::string name;        // the database as shown in messages
  int version = 0;         // older: the database's version
  int current = 0;         // older: this build's version
  std::string found;       // incomplete, foreign: its tables, comma separated
  std::string missing;     // incomplete: the tolteca tables it lacks
};

// A backup export into a non-empty directory that is not an earlier export
// (only an earlier export may be replaced).
struct NotAnExport : UserError {
  NotAnExport(std::string dir, std::string found);
  std::string dir;
  std::string found;  // the first entry that is no export file
};

// A backup import: the export cannot be restored as asked.
struct ExportRefused : UserError {
  enum class Problem {
    no_manifest,       // no manifest.json (interrupted, or made before manifests): verification impossible
    incomplete,        // a full restore, but tables are missing (detail: them, comma separated)
    table_not_in_it,   // a table asked for is not in the export (table)
    subset_lacks_dep,  // a table asked for needs one the subset lacks (table, detail: its needs " and ", dep)
  };
  ExportRefused(Problem problem, std::string dir, std::string table, std::string detail, std::string dep);
  Problem problem;
  std::string dir, table, detail, dep;
};

}  // namespace tolteca::storage

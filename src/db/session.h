#pragma once
// TRANSITIONAL (issue 14): the DuckDB session moved to storage/duckdb/session.h
// (namespace tolteca::storage::duckdb). This header keeps the code that still
// says db::Session / db::Transaction compiling (src/assoc/, src/db/assoc_repo.*,
// src/db/synthetic.*, src/db/sitedb_writer.*, cli/cmd_assoc.cpp, tests) until
// the lead joins AssocStore into storage::Registry; then it is deleted.
#include "storage/duckdb/session.h"
#include "db/duckdb.h"

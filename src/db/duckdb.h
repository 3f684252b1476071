#pragma once
// TRANSITIONAL (issue 14): the DuckDB wrapper moved to storage/duckdb/duckdb.h
// (namespace tolteca::storage::duckdb, still reachable as db:: from there);
// kept for src/assoc/ and src/db/ (developers A and H). Deleted at integration.
#include "storage/duckdb/duckdb.h"

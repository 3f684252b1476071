#pragma once
// TRANSITIONAL (issue 14): moved to storage/duckdb/admin.h; kept for src/db/assoc_repo.cpp and
// src/db/synthetic.cpp (owned by developers A and H) until integration. See db/session.h.
#include "storage/duckdb/admin.h"
#include "db/duckdb.h"

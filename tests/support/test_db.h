#pragma once
// The one "fresh test database" helper: a new registry with its schema, at a URL or path
// ("duckdb:///:memory:" by default, or a file that does not exist yet), opened read-write.
#include <memory>
#include <string>

#include "storage/duckdb/session.h"

namespace tolteca::test {

std::unique_ptr<storage::duckdb::Session> fresh_registry(const std::string& url = "duckdb:///:memory:");

}  // namespace tolteca::test

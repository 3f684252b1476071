// The fresh test registry, see test_db.h.
#include "support/test_db.h"

namespace tolteca::test {

std::unique_ptr<storage::duckdb::Session> fresh_registry(const std::string& url) {
  return storage::duckdb::Session::open(url, storage::OpenOptions{storage::OpenMode::Create, 0, {}});
}

}  // namespace tolteca::test

// The fresh test registry, see test_db.h.
#include "support/test_db.h"

namespace tolteca::test {

std::unique_ptr<db::Session> fresh_registry(const std::string& url) {
  return db::Session::open(url, db::OpenOptions{db::OpenMode::Create, 0, {}});
}

}  // namespace tolteca::test

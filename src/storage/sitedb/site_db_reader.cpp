// read_site_db: the reader for the kind of source (readers.h).
#include "storage/site_db.h"
#include "storage/sitedb/readers.h"

namespace tolteca::storage {

std::int64_t read_site_db(const std::string& source, const SiteDbFilter& filter,
                          const std::function<void(const SiteDbRow&)>& on_row) {
  const SiteDbSource s = parse_site_db_source(source);
  if (s.kind == SiteDbSource::Kind::mysql) return sitedb::read_mysql(s, filter, on_row);
  return sitedb::read_sqlite(s, filter, on_row);
}

}  // namespace tolteca::storage

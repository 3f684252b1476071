#pragma once
// The site-database readers, one per kind of source (storage/site_db.h read_site_db dispatches on
// SiteDbSource::kind). Internal to storage/sitedb/. Each calls on_row for the matching rows in id
// order (labels applied) and returns the count; each throws UserError naming source.display.
#include <cstdint>
#include <functional>

#include "storage/site_db.h"

namespace tolteca::storage::sitedb {

std::int64_t read_sqlite(const SiteDbSource& source, const SiteDbFilter& filter,
                         const std::function<void(const SiteDbRow&)>& on_row);

std::int64_t read_mysql(const SiteDbSource& source, const SiteDbFilter& filter,
                        const std::function<void(const SiteDbRow&)>& on_row);

}  // namespace tolteca::storage::sitedb

#include "watch/site_db_watch.h"

namespace tolteca::watch {

ingest::IngestSummary SiteDbWatch::poll(storage::Registry& registry, Clock::time_point now) {
  poll_later(now);
  ingest::SiteDbOptions so;
  so.location = options_.location;
  so.data_root = options_.data_root;
  so.valid_only = true;  // a row whose file is still being written (Valid = 0) waits for the next poll
  return ingest::ingest_toltec_db(registry, options_.source, so);
}

}  // namespace tolteca::watch

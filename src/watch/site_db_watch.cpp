#include "watch/site_db_watch.h"

#include <algorithm>

#include "storage/site_db.h"

namespace tolteca::watch {

void SiteDbWatch::advance_watermark(std::int64_t from, Clock::time_point now) {
  storage::SiteDbFilter filter;
  filter.valid_only = false;
  filter.min_id = from;
  std::int64_t highest = watermark_ - 1;
  storage::read_site_db(options_.source, filter, [&](const storage::SiteDbRow& row) {
    highest = std::max(highest, row.id);
    if (row.valid.value_or(0) == 0)
      open_.try_emplace(row.id, now);
    else
      open_.erase(row.id);
  });
  std::erase_if(open_, [&](const auto& kv) { return now >= after(kv.second, options_.open_seconds); });
  watermark_ = open_.empty() ? highest + 1 : open_.begin()->first;
}

ingest::IngestSummary SiteDbWatch::poll(storage::Registry& registry, Clock::time_point now) {
  poll_later(now);
  const std::int64_t from = next_from_id(now);
  if (from == 0) {
    next_full_ = after(now, options_.full_pass_seconds);
    ++full_passes_;
  }
  // The ids first: a row that turns valid after this read is read again by the next poll.
  advance_watermark(from, now);
  ingest::SiteDbOptions so;
  so.location = options_.location;
  so.data_root = options_.data_root;
  so.valid_only = true;  // a row whose file is still being written (Valid = 0) waits for a later poll
  so.min_id = from;
  return ingest::ingest_toltec_db(registry, options_.source, so);
}

}  // namespace tolteca::watch

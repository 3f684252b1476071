// ingest toltec-db (ingest.h): the rows of the site file database become the run's items (run.h).
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <unordered_map>

#include "ingest/errors.h"
#include "ingest/ingest.h"
#include "ingest/run.h"
#include "ingest/site_rows.h"
#include "ingest/walk.h"
#include "model/error.h"
#include "model/split.h"
#include "model/time_arg.h"
#include "storage/registry.h"
#include "storage/site_db.h"

namespace tolteca::ingest {

using namespace detail;

std::vector<int> parse_obs_types(const std::string& text) {
  std::vector<int> out;
  for (std::string_view item : split(text, ',')) {
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.empty()) continue;
    const std::string t(item);
    std::string l = t;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto add = [&](std::initializer_list<int> v) { out.insert(out.end(), v); };
    if (l.size() == 1 && l[0] >= '0' && l[0] <= '4') add({l[0] - '0'});
    else if (l == "nominal") add({0});
    else if (l == "timestream" || l == "rawtimestream") add({0, 1});
    else if (l == "vna" || l == "vnasweep") add({2});
    else if (l == "targ" || l == "targsweep" || l == "targetsweep") add({3});
    else if (l == "tune") add({4});
    else if (l == "rawsweep" || l == "sweep") add({2, 3, 4});
    else
      throw UserError(fmt::format("unknown obs type '{}' (use nominal, timestream, vna, targ, tune, or 0..4)", t));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Any time model/time_arg.h accepts; a day ("2024-11-13", "today", "yesterday") stays a day (inclusive).
std::string site_time(const std::string& t, BadTimeBound::Bound bound) {
  if (t.empty()) return t;
  const std::optional<UnixMicros> parsed = parse_time_arg(t, now_micros());
  if (!parsed) throw BadTimeBound(bound, t);
  const UnixMicros v = *parsed;
  std::string iso = format_iso8601(v);  // YYYY-MM-DDTHH:MM:SSZ
  const bool day = (t.size() == 10 && parse_iso8601(t)) || t == "today" || t == "yesterday";
  return day ? iso.substr(0, 10) : iso.substr(0, 10) + " " + iso.substr(11, 8);
}

storage::SiteDbFilter site_filter(const SiteDbOptions& opts) {
  storage::SiteDbFilter filter;
  filter.since = site_time(opts.since, BadTimeBound::Bound::since);
  filter.until = site_time(opts.until, BadTimeBound::Bound::until);
  filter.obs_types = opts.obs_types;
  filter.valid_only = opts.valid_only;
  filter.min_id = opts.min_id;
  return filter;
}

// The site rows, one per file (the latest row wins), in first-seen order; the rows whose FileName
// names no file under the data root are items of their own (skipped or failed).
struct SiteFiles {
  std::vector<storage::SiteDbRow> rows;
  std::int64_t n_rows = 0;  // rows read (after the limit)
  std::unordered_map<std::string, std::size_t> by_rel;
  std::vector<std::pair<std::string, std::size_t>> order;
  std::vector<Item> unmappable;
};

SiteFiles read_site_files(const std::string& source, const storage::SiteDbFilter& filter,
                          std::optional<std::int64_t> limit) {
  SiteFiles f;
  f.n_rows = storage::read_site_db(source, filter, [&](const storage::SiteDbRow& r) { f.rows.push_back(r); });
  if (limit && static_cast<std::int64_t>(f.rows.size()) > *limit) {
    f.rows.resize(static_cast<std::size_t>(*limit));
    f.n_rows = *limit;
  }
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    // Normalised: one file is one key however its FileName is spelled; an escape is never a path.
    MappedPath mapped = map_site_file_name(f.rows[i].id, f.rows[i].file_name);
    std::string rel = std::move(mapped.rel);
    if (rel.empty()) {
      Item it;
      it.rel = f.rows[i].file_name;
      Classified c;
      c.outcome = mapped.escapes ? Outcome::failed : Outcome::skipped;  // failed: no record (empty uid)
      c.reason = std::move(mapped.reason);
      c.detail = std::move(mapped.detail);
      it.pre = std::move(c);
      f.unmappable.push_back(std::move(it));
      continue;
    }
    auto [it, fresh] = f.by_rel.emplace(rel, i);
    if (fresh)
      f.order.emplace_back(rel, i);
    else
      it->second = i;
  }
  return f;
}

// Emits the unmappable rows, then one item per file that is new or changed (stat under root: a file
// missing locally is recorded as missing).
void produce_site_files(SiteFiles& f, const std::string& root, const SiteDbOptions& opts,
                        std::atomic<std::int64_t>& missing_locally, storage::Snapshot& snap, Counters& k,
                        const std::function<bool(Item&&)>& emit) {
  for (auto& u : f.unmappable) {
    ++k.found;
    if (!emit(std::move(u))) return;
  }
  for (const auto& [rel, first] : f.order) {
    ++k.found;
    const auto& row = f.rows[f.by_rel[rel]];
    std::string abs = root + "/" + rel;
    struct stat st;
    FileStat fst;
    bool available = ::stat(abs.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    if (available) {
      fst.size = static_cast<std::int64_t>(st.st_size);
      fst.mtime_ns = mtime_ns(st);
    } else {
      ++missing_locally;
    }
    bool known = false;
    std::int64_t id = -1;
    if (auto it = snap.find(rel); it != snap.end()) {
      known = true;
      id = it->second.id;
      it->second.seen = true;
      bool same = !opts.reingest_existing &&
                  (opts.skip_existing || (available ? is_unchanged(it->second, fst, false, rel) : !it->second.available));
      if (same) {
        ++k.unchanged;
        continue;
      }
    }
    Item item;
    item.rel = rel;
    item.st = fst;
    item.known = known;
    item.source_id = id;
    item.pre = classify_site_row(row, rel, fst, available, opts.fallback_master);
    if (!emit(std::move(item))) return;
  }
}

// The run's options: names only, one worker (the rows are classified already).
IngestOptions run_options(const SiteDbOptions& opts) {
  IngestOptions o;
  o.location = opts.location;
  o.dry_run = opts.dry_run;
  o.read_headers = false;
  o.jobs = 1;
  o.batch_size = opts.batch_size;
  o.progress = opts.progress;
  o.storage = opts.storage;
  return o;
}

}  // namespace

IngestSummary ingest_toltec_db(storage::Registry& s, const std::string& source, const SiteDbOptions& opts) {
  const auto t0 = Clock::now();
  const storage::SiteDbFilter filter = site_filter(opts);
  storage::parse_site_db_source(source);  // validates the URL before anything else

  auto loc = resolve_location(s, opts.location, opts.data_root, std::string(), !opts.dry_run);
  const std::string root = canonical_path(loc.root);
  // Read every row first: one record per file (the latest row wins).
  SiteFiles files = read_site_files(source, filter, opts.limit);
  storage::Snapshot snapshot;
  if (loc.id >= 0) snapshot = s.ingest().writer(loc.id, opts.storage)->load_snapshot();
  std::atomic<std::int64_t> missing_locally{0};
  auto produce = [&](storage::Snapshot& snap, Counters& k, const std::function<bool(Item&&)>& emit) {
    produce_site_files(files, root, opts, missing_locally, snap, k, emit);
  };
  auto sum = run_ingest(t0, s, loc, run_options(opts), "", produce, snapshot);
  sum.root = source;
  sum.from_site_db = true;
  sum.site_rows = files.n_rows;
  sum.missing_locally = missing_locally;
  log_run(s, loc, opts.storage, sum, source);
  return sum;
}

}  // namespace tolteca::ingest

// IngestRepo::write_batch (ingest_repo.h): one batch of file records in one transaction, as named steps.
// Each step is one line of the ingest trace (IngestOptions::trace; model/trace.h).
#include <optional>
#include <string_view>
#include <unordered_map>

#include "storage/duckdb/chunk_appender.h"
#include "storage/duckdb/file_summary.h"
#include "storage/duckdb/ingest_repo.h"
#include "storage/duckdb/ingest_sql.h"
#include "model/trace.h"

namespace tolteca::storage::duckdb {

using namespace ingest_sql;

// The batch's products (one per uid) with the aggregate of its new files, the flags that decide which
// statements run, and what the batch changed.
struct IngestRepo::Batch {
  struct Agg {
    const FileRecord* first;
    DataKindBits kind = 0;
    std::optional<UnixMicros> start;
    std::int64_t id = 0;  // the products row (upsert_products)
  };

  explicit Batch(const std::vector<FileRecord>& f) : files(f) {
    products.reserve(files.size());
    for (const auto& r : files) {
      any_reduced |= r.reduced;
      any_tel |= r.tel.has_value();
      any_update |= r.source_id.has_value();
      auto [it, fresh] = products.try_emplace(r.uid, Agg{&r, 0, std::nullopt, 0});
      if (fresh) order.push_back(&r);
      if (r.source_id) continue;  // changed files: recomputed from sources (recompute_products)
      it->second.kind |= r.data_kind;
      if (r.obs_start_time && (!it->second.start || *r.obs_start_time < *it->second.start))
        it->second.start = r.obs_start_time;
    }
  }

  const std::vector<FileRecord>& files;
  std::unordered_map<std::string_view, Agg> products;
  std::vector<const FileRecord*> order;  // first file of each product, in file order
  bool any_reduced = false, any_tel = false, any_tcs = false, any_update = false;
  BatchOutcome out;
};

BatchOutcome IngestRepo::write_batch(const std::vector<FileRecord>& files, const std::vector<EventRecord>& events) {
  ensure_stage();
  Tracer timer("ingest", options_.trace);
  auto& con = s_.con();
  con.execute("DELETE FROM ingest_products; DELETE FROM ingest_updates; DELETE FROM ingest_tel_stage; "
              "DELETE FROM ingest_ids;");
  Batch b(files);
  stage_products(b);
  timer.lap("stage products", b.products.size());

  Transaction tx(con);
  upsert_products(b);
  timer.lap("upsert products", b.out.created.size());
  append_sources(b);
  timer.lap("append sources", files.size());
  update_sources(b);
  timer.lap("update sources");
  recompute_products(b);
  timer.lap("recompute products", b.out.changed.size());
  refresh_summaries(b);
  timer.lap("file summaries", b.products.size());
  link_edges_and_tel(b);
  timer.lap("edges + tel");
  insert_events(events);
  tx.commit();
  timer.lap("events + commit", events.size());
  return std::move(b.out);
}

void IngestRepo::stage_products(Batch& b) {
  auto& con = s_.con();
  {
    ChunkAppender a(con, "ingest_products",
                    {"uid", "product_type", "master", "obsnum", "subobsnum", "scannum", "data_kind", "obs_start_time"});
    for (const FileRecord* f : b.order) {
      const Batch::Agg& g = b.products.at(f->uid);
      b.any_tcs |= f->master == "tcs";
      a.str(0, std::string_view(f->uid));
      a.str(1, std::string_view(f->reduced ? "dp_reduced_obs" : "dp_raw_obs"));
      a.str(2, std::string_view(f->master));
      a.i64(3, f->obsnum);
      a.i64(4, f->subobsnum);
      a.i64(5, f->scannum);
      a.i64(6, static_cast<std::int64_t>(g.kind));
      a.i64(7, g.start);
      a.end_row();
    }
    a.close();
  }
  if (b.any_tel) {
    ChunkAppender a(con, "ingest_tel_stage", kTelStageColumns);
    for (const auto& f : b.files)
      if (f.tel) append_tel(a, *f.tel);
    a.close();
  }
}

void IngestRepo::upsert_products(Batch& b) {
  auto& con = s_.con();
  {
    auto res = con.query(kNewProductUids);
    for_each_row(res, [&](Chunk& c, std::size_t r) {
      if (c.string(1, r) == "dp_raw_obs") b.out.created.emplace_back(c.string(0, r));
    });
    con.execute(kUpdateProducts);
    con.execute(kInsertProducts);
  }
  auto res = con.query("SELECT s.uid, p.id, p.product_type FROM ingest_products s JOIN products p ON p.uid = s.uid");
  for_each_row(res, [&](Chunk& c, std::size_t r) {
    auto uid = c.string(0, r);
    auto it = b.products.find(uid);
    if (it != b.products.end()) it->second.id = c.data<std::int64_t>(1)[r];
    if (c.string(2, r) == "dp_raw_obs") b.out.changed.emplace_back(uid);
  });
}

namespace {

// The columns of a file both tables share, from column c on (sources after its rel_path, ingest_updates
// after its product_id).
void append_file_columns(ChunkAppender& t, std::size_t c, const FileRecord& f) {
  t.str(c++, std::string_view(f.interface));
  t.i64(c++, f.roach ? std::optional<std::int64_t>(*f.roach) : std::nullopt);
  t.i64(c++, static_cast<std::int64_t>(f.data_kind));
  t.boolean(c++, f.is_raw);
  t.i64(c++, f.file_time);
  t.i64(c++, f.obs_start_time);
  t.i64(c++, f.size);
  t.i64(c++, f.mtime_ns);
  t.str(c++, std::string_view(f.available ? "available" : "missing"));
  t.i64(c++, f.cal_obsnum);
  t.i64(c++, f.cal_subobsnum ? std::optional<std::int64_t>(*f.cal_subobsnum) : std::nullopt);
  t.i64(c++, f.cal_scannum ? std::optional<std::int64_t>(*f.cal_scannum) : std::nullopt);
  t.str(c++, f.problem);
  t.str(c++, f.header_json);
  t.end_row();
}

}  // namespace

// New files: appended straight into sources. Changed files: staged in ingest_updates (update_sources).
void IngestRepo::append_sources(Batch& b) {
  auto& con = s_.con();
  ChunkAppender a(con, "sources",
                  {"product_id", "location_id", "rel_path", "interface", "roach", "data_kind", "is_raw", "file_time",
                   "obs_start_time", "size", "mtime_ns", "availability", "cal_obsnum", "cal_subobsnum",
                   "cal_scannum", "problem", "header"});
  std::optional<ChunkAppender> u;
  if (b.any_update)
    u.emplace(con, "ingest_updates",
              std::initializer_list<const char*>{"source_id", "product_id", "interface", "roach", "data_kind",
                                                 "is_raw", "file_time", "obs_start_time", "size", "mtime_ns",
                                                 "availability", "cal_obsnum", "cal_subobsnum", "cal_scannum",
                                                 "problem", "header"});
  for (const auto& f : b.files) {
    const std::int64_t pid = b.products.at(f.uid).id;
    if (f.source_id) {
      u->i64(0, *f.source_id);
      u->i64(1, pid);
      append_file_columns(*u, 2, f);
    } else {
      a.i64(0, pid);
      a.i64(1, location_id_);
      a.str(2, std::string_view(f.rel_path));
      append_file_columns(a, 3, f);
    }
  }
  a.close();
  if (u) u->close();
}

void IngestRepo::update_sources(Batch& b) {
  if (b.any_update) s_.con().execute(kUpdateSources);
}

void IngestRepo::recompute_products(Batch& b) {
  if (!b.any_update) return;
  auto& con = s_.con();
  ChunkAppender a(con, "ingest_ids", {"id"});
  for (const auto& f : b.files) {
    if (!f.source_id) continue;
    a.i64(0, b.products.at(f.uid).id);
    a.end_row();
  }
  a.close();
  con.execute(kRecomputeProducts);
}

void IngestRepo::refresh_summaries(Batch& b) {
  std::vector<std::int64_t> ids;
  ids.reserve(b.products.size());
  for (const auto& [uid, agg] : b.products) ids.push_back(agg.id);
  refresh_file_summaries(s_.con(), std::move(ids));
}

void IngestRepo::link_edges_and_tel(Batch& b) {
  auto& con = s_.con();
  if (b.any_reduced || !b.out.created.empty()) {
    // Raw observations created now may have reduced observations waiting for them.
    bool need = b.any_reduced;
    if (!need)
      need = con.scalar_int("SELECT count(*) FROM products WHERE product_type = 'dp_reduced_obs'").value_or(0) > 0;
    if (need) con.execute(kReducedEdges);
  }
  if (b.any_tel) con.execute(kUpsertTelMeta);
  if (b.any_tel || b.any_tcs) {
    bool tcs = b.any_tcs && con.scalar_int("SELECT count(*) FROM tel_meta").value_or(0) > 0;
    auto changed = recompute_tel(b.any_tel, tcs);
    b.out.changed.insert(b.out.changed.end(), changed.begin(), changed.end());
  }
}

}  // namespace tolteca::storage::duckdb

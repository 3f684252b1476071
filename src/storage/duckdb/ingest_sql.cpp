// The staging helpers of the DuckDB ingest writer, see ingest_sql.h.
#include "storage/duckdb/ingest_sql.h"

#include <string>

namespace tolteca::storage::duckdb::ingest_sql {

void append_tel(ChunkAppender& a, const TelMetaRecord& t) {
  a.str(0, std::string_view(t.master));
  a.i64(1, t.obsnum);
  a.i64(2, t.subobsnum);
  a.i64(3, t.scannum);
  a.str(4, std::string_view(t.origin));
  a.i64(5, tel_origin_rank(t.origin));
  a.str(6, t.obs_goal);
  a.str(7, t.source_name);
  a.str(8, t.project_id);
  a.str(9, t.obs_pgm);
  a.dbl(10, t.tau);
  a.dbl(11, t.integration_time);
  a.dbl(12, t.az_deg);
  a.dbl(13, t.el_deg);
  a.str(14, std::string_view(t.extra_json));
  a.end_row();
}

void stage_texts(Connection& con, const std::vector<std::string>& texts) {
  con.execute("DELETE FROM ingest_paths");
  ChunkAppender a(con, "ingest_paths", {"rel_path"});
  for (const auto& t : texts) {
    a.str(0, std::string_view(t));
    a.end_row();
  }
  a.close();
}

void stage_ids(Connection& con, const std::vector<std::int64_t>& ids) {
  con.execute("DELETE FROM ingest_ids");
  ChunkAppender a(con, "ingest_ids", {"id"});
  for (auto id : ids) {
    a.i64(0, id);
    a.end_row();
  }
  a.close();
}

void read_snapshot(Result& res, Snapshot& out) {
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk()) {
    const auto* id = c.data<std::int64_t>(1);
    const auto* size = c.data<std::int64_t>(2);
    const auto* mtime = c.data<std::int64_t>(3);
    const auto* avail = c.data<bool>(4);
    const auto* hdr = c.data<bool>(5);
    for (std::size_t r = 0; r < c.size(); ++r) {
      SnapshotEntry e;
      e.id = id[r];
      e.size = c.is_null(2, r) ? -1 : size[r];
      e.mtime_ns = c.is_null(3, r) ? -1 : mtime[r];
      e.available = avail[r];
      e.header_read = hdr[r];
      out.emplace(std::string(c.string(0, r)), e);
    }
  }
}

}  // namespace tolteca::storage::duckdb::ingest_sql

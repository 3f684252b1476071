#pragma once
// Internal to the DuckDB ingest writer (ingest_repo.h): its temp staging tables, the set-based
// statements that turn a staged batch into products, sources, edges and telescope metadata, and the
// small helpers that fill the staging tables. Every name here is the backend's own; nothing above
// storage/duckdb/ sees it.
#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/duckdb/chunk_appender.h"
#include "storage/duckdb/duckdb.h"
#include "storage/ingest_records.h"

namespace tolteca::storage::duckdb::ingest_sql {

// Temp (connection-local, in memory) staging tables.
inline constexpr const char* kStageDdl = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS ingest_products (
  uid VARCHAR, product_type VARCHAR, master VARCHAR, obsnum BIGINT, subobsnum INTEGER, scannum INTEGER,
  data_kind INTEGER, obs_start_time TIMESTAMP);
CREATE TEMP TABLE IF NOT EXISTS ingest_updates (
  source_id BIGINT, product_id BIGINT, interface VARCHAR, roach SMALLINT, data_kind INTEGER, is_raw BOOLEAN,
  file_time TIMESTAMP, obs_start_time TIMESTAMP, size BIGINT, mtime_ns BIGINT, availability VARCHAR,
  cal_obsnum BIGINT, cal_subobsnum INTEGER, cal_scannum INTEGER, problem VARCHAR, header VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_tel_stage (
  master VARCHAR, obsnum BIGINT, subobsnum INTEGER, scannum INTEGER, origin VARCHAR, origin_rank INTEGER,
  obs_goal VARCHAR, source_name VARCHAR, project_id VARCHAR, obs_pgm VARCHAR,
  tau DOUBLE, integration_time DOUBLE, az_deg DOUBLE, el_deg DOUBLE, extra VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_paths (rel_path VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS ingest_ids (id BIGINT);
)SQL";

// Adds the batch's new files to existing products: kind |= (bitwise OR),
// start = least(…) (NULLs ignored). Exact for added files, so order-independent;
// changed files trigger kRecomputeProducts instead. (No RETURNING anywhere:
// in DuckDB 1.4 it costs ~20 µs per row.)
inline constexpr const char* kNewProductUids = R"SQL(
SELECT s.uid, s.product_type FROM ingest_products s WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.uid = s.uid)
)SQL";

inline constexpr const char* kUpdateProducts = R"SQL(
UPDATE products SET
  data_kind = products.data_kind | s.data_kind,
  obs_start_time = least(products.obs_start_time, s.obs_start_time),
  ingest_seq = CASE WHEN products.product_type = 'dp_raw_obs' THEN nextval('seq_ingest') ELSE products.ingest_seq END,
  updated_at = now()::TIMESTAMP
FROM ingest_products s WHERE products.uid = s.uid
)SQL";

inline constexpr const char* kInsertProducts = R"SQL(
INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, obs_start_time,
                      ingest_seq)
SELECT product_type, uid, uid, master, obsnum, subobsnum, scannum, data_kind, obs_start_time,
       CASE WHEN product_type = 'dp_raw_obs' THEN nextval('seq_ingest') END
FROM ingest_products s WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.uid = s.uid)
)SQL";

inline constexpr const char* kUpdateSources = R"SQL(
UPDATE sources SET
  interface = u.interface, roach = u.roach, data_kind = u.data_kind, is_raw = u.is_raw, file_time = u.file_time,
  obs_start_time = u.obs_start_time, size = u.size, mtime_ns = u.mtime_ns, availability = u.availability,
  cal_obsnum = u.cal_obsnum, cal_subobsnum = u.cal_subobsnum, cal_scannum = u.cal_scannum, problem = u.problem,
  header = u.header::JSON, ingest_time = now()::TIMESTAMP
FROM ingest_updates u WHERE sources.id = u.source_id
)SQL";

// Products with changed files: kind = OR of all the product's files (every
// location, available or not); start = the earliest file start.
inline constexpr const char* kRecomputeProducts = R"SQL(
UPDATE products SET
  data_kind = a.k,
  obs_start_time = a.t,
  ingest_seq = CASE WHEN products.product_type = 'dp_raw_obs' THEN nextval('seq_ingest') ELSE products.ingest_seq END,
  updated_at = now()::TIMESTAMP
FROM (
  SELECT src.product_id, bit_or(src.data_kind) AS k, min(src.obs_start_time) AS t
  FROM sources src
  WHERE src.product_id IN (SELECT id FROM ingest_ids)
  GROUP BY src.product_id
) a
WHERE products.id = a.product_id
)SQL";

inline constexpr const char* kReducedEdges = R"SQL(
INSERT INTO edges (assoc_type, src_product_id, dst_product_id)
SELECT 'dpa_reduced_obs_raw_obs', r.id, w.id
FROM products r JOIN products w ON r.uid = 'reduced:' || w.uid
WHERE r.product_type = 'dp_reduced_obs' AND w.product_type = 'dp_raw_obs'
  AND (r.uid IN (SELECT uid FROM ingest_products) OR w.uid IN (SELECT uid FROM ingest_products))
  AND NOT EXISTS (SELECT 1 FROM edges e WHERE e.assoc_type = 'dpa_reduced_obs_raw_obs'
                  AND e.src_product_id = r.id AND e.dst_product_id = w.id)
)SQL";

inline constexpr const char* kUpsertTelMeta = R"SQL(
INSERT INTO tel_meta (master, obsnum, subobsnum, scannum, origin, origin_rank, obs_goal, source_name, project_id,
                      obs_pgm, tau, integration_time, az_deg, el_deg, extra)
SELECT master, obsnum, subobsnum, scannum, origin, origin_rank, any_value(obs_goal),
       any_value(source_name), any_value(project_id), any_value(obs_pgm), any_value(tau),
       any_value(integration_time), any_value(az_deg), any_value(el_deg), any_value(extra)::JSON
FROM ingest_tel_stage GROUP BY master, obsnum, subobsnum, scannum, origin, origin_rank
ON CONFLICT (master, obsnum, subobsnum, scannum, origin) DO UPDATE SET
  obs_goal = excluded.obs_goal, source_name = excluded.source_name, project_id = excluded.project_id,
  obs_pgm = excluded.obs_pgm, tau = excluded.tau, integration_time = excluded.integration_time,
  az_deg = excluded.az_deg, el_deg = excluded.el_deg, extra = excluded.extra,
  updated_at = now()::TIMESTAMP
)SQL";

// The telescope columns of every tcs raw observation of the affected obsnums:
// its own quartet's best row (tel_toltec > tel_toltec2 > csv), else the obsnum's
// lowest (subobsnum, scannum). Only rows whose values change are touched.
inline constexpr const char* kTelTargets = R"SQL(
CREATE OR REPLACE TEMP TABLE ingest_tel_targets AS
SELECT b.* FROM (
  SELECT p.id, p.uid, t.obs_goal, t.source_name, t.project_id, t.obs_pgm, t.tau, t.integration_time, t.az_deg,
         t.el_deg, coalesce(t.extra, '{{}}'::JSON) AS extra,
         t.master || '-' || t.obsnum || '-' || t.subobsnum || '-' || t.scannum AS tel_from,
         p.obs_goal AS o_goal, p.source_name AS o_source, p.project_id AS o_project, p.obs_pgm AS o_pgm,
         p.tau AS o_tau, p.integration_time AS o_int, p.az_deg AS o_az, p.el_deg AS o_el, p.meta AS o_meta,
         row_number() OVER (PARTITION BY p.id
                            ORDER BY (t.subobsnum = p.subobsnum AND t.scannum = p.scannum) DESC,
                                     t.subobsnum, t.scannum, t.origin_rank) AS rn
  FROM products p JOIN tel_meta t ON t.master = p.master AND t.obsnum = p.obsnum
  WHERE p.product_type = 'dp_raw_obs' AND p.master = 'tcs' AND p.obsnum IN ({affected})
) b
WHERE b.rn = 1 AND (
  b.o_goal IS DISTINCT FROM b.obs_goal OR b.o_source IS DISTINCT FROM b.source_name OR
  b.o_project IS DISTINCT FROM b.project_id OR b.o_pgm IS DISTINCT FROM b.obs_pgm OR
  b.o_tau IS DISTINCT FROM b.tau OR b.o_int IS DISTINCT FROM b.integration_time OR
  b.o_az IS DISTINCT FROM b.az_deg OR b.o_el IS DISTINCT FROM b.el_deg OR
  (b.o_meta ->> 'tel_from') IS DISTINCT FROM b.tel_from OR
  CAST(b.o_meta -> 'tel' AS VARCHAR) IS DISTINCT FROM CAST(b.extra AS VARCHAR))
)SQL";

inline constexpr const char* kApplyTelTargets = R"SQL(
UPDATE products SET
  obs_goal = b.obs_goal, source_name = b.source_name, project_id = b.project_id, obs_pgm = b.obs_pgm,
  tau = b.tau, integration_time = b.integration_time, az_deg = b.az_deg, el_deg = b.el_deg,
  meta = json_merge_patch(coalesce(products.meta, '{}'::JSON), json_object('tel', b.extra, 'tel_from', b.tel_from)),
  ingest_seq = nextval('seq_ingest'),
  updated_at = now()::TIMESTAMP
FROM ingest_tel_targets b WHERE products.id = b.id
)SQL";

// The columns of ingest_tel_stage, in the order append_tel() fills them.
inline constexpr const char* kTelStageColumns[] = {
    "master", "obsnum", "subobsnum", "scannum", "origin", "origin_rank", "obs_goal", "source_name",
    "project_id", "obs_pgm", "tau", "integration_time", "az_deg", "el_deg", "extra"};

// A location's stored sources as the snapshot reads them (read_snapshot()); callers add conditions.
inline constexpr const char* kSnapshotSelect =
    "SELECT rel_path, id, size, mtime_ns, availability = 'available', header IS NOT NULL FROM sources "
    "WHERE location_id = $1";

// One row of ingest_tel_stage (an appender on kTelStageColumns).
void append_tel(ChunkAppender& a, const TelMetaRecord& t);

// Replaces the rows of ingest_paths (its one VARCHAR column) with `texts`.
void stage_texts(Connection& con, const std::vector<std::string>& texts);
// Replaces the rows of ingest_ids (its one BIGINT column) with `ids`.
void stage_ids(Connection& con, const std::vector<std::int64_t>& ids);

// Adds the rows of a result in kSnapshotSelect's column order to `out`.
void read_snapshot(Result& res, Snapshot& out);

// f(chunk, row) for every row of the result.
template <typename F>
void for_each_row(Result& res, F&& f) {
  for (Chunk c = res.next_chunk(); c && c.size() > 0; c = res.next_chunk())
    for (std::size_t r = 0; r < c.size(); ++r) f(c, r);
}

}  // namespace tolteca::storage::duckdb::ingest_sql

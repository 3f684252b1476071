#include "storage/duckdb/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "model/data_kind.h"
#include "model/product_type.h"
#include "model/error.h"
#include "storage/errors.h"
#include "tolteca/version.h"
#include "storage/duckdb/file_summary.h"

namespace tolteca::storage::duckdb {

namespace {

// Version 1. Ids come from per-table sequences; names are lower snake case.
constexpr const char* kSchemaV1 = R"SQL(
CREATE SEQUENCE seq_product_types START 1;
CREATE SEQUENCE seq_assoc_types START 1;
CREATE SEQUENCE seq_data_kinds START 1;
CREATE SEQUENCE seq_locations START 1;
CREATE SEQUENCE seq_products START 1;
CREATE SEQUENCE seq_sources START 1;
CREATE SEQUENCE seq_edges START 1;
CREATE SEQUENCE seq_events START 1;
-- Bumped whenever a raw observation is created or its grouping facts change;
-- the association engine's watermark is a value of this sequence.
CREATE SEQUENCE seq_ingest START 1;

CREATE TABLE schema_meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR NOT NULL
);

CREATE TABLE product_types (
  id INTEGER PRIMARY KEY DEFAULT nextval('seq_product_types'),
  name VARCHAR NOT NULL UNIQUE,
  description VARCHAR NOT NULL
);

CREATE TABLE assoc_types (
  id INTEGER PRIMARY KEY DEFAULT nextval('seq_assoc_types'),
  name VARCHAR NOT NULL UNIQUE,
  description VARCHAR NOT NULL
);

CREATE TABLE data_kinds (
  id INTEGER PRIMARY KEY DEFAULT nextval('seq_data_kinds'),
  name VARCHAR NOT NULL UNIQUE,
  bit INTEGER NOT NULL UNIQUE,
  description VARCHAR NOT NULL
);

CREATE TABLE locations (
  id INTEGER PRIMARY KEY DEFAULT nextval('seq_locations'),
  label VARCHAR NOT NULL UNIQUE,
  root_path VARCHAR NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
);

-- Raw observations, reduced observations and groups. uid is the identity key:
-- the quartet text for a raw observation ("ics-18343-0-0"), "reduced:<quartet>"
-- for a reduced one, "<type>:<first member uid>" for a group, "named:<name>".
CREATE TABLE products (
  id BIGINT PRIMARY KEY DEFAULT nextval('seq_products'),
  product_type VARCHAR NOT NULL,
  uid VARCHAR NOT NULL UNIQUE,
  name VARCHAR NOT NULL,
  master VARCHAR,
  obsnum BIGINT,
  subobsnum INTEGER,
  scannum INTEGER,
  data_kind INTEGER NOT NULL DEFAULT 0,
  obs_start_time TIMESTAMP,
  obs_goal VARCHAR,
  source_name VARCHAR,
  project_id VARCHAR,
  obs_pgm VARCHAR,
  tau DOUBLE,
  integration_time DOUBLE,
  az_deg DOUBLE,
  el_deg DOUBLE,
  n_items INTEGER,
  first_obsnum BIGINT,
  last_obsnum BIGINT,
  latest_member_time TIMESTAMP,
  ingest_seq BIGINT,
  meta JSON,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
);

-- One row per file per location.
CREATE TABLE sources (
  id BIGINT PRIMARY KEY DEFAULT nextval('seq_sources'),
  product_id BIGINT NOT NULL,
  location_id INTEGER NOT NULL,
  rel_path VARCHAR NOT NULL,
  interface VARCHAR NOT NULL,
  roach SMALLINT,
  data_kind INTEGER NOT NULL DEFAULT 0,
  is_raw BOOLEAN NOT NULL DEFAULT true,
  file_time TIMESTAMP,
  -- Earliest of the header's ObsStartTime and the name's full timestamp (NULL for date-only names).
  obs_start_time TIMESTAMP,
  size BIGINT,
  mtime_ns BIGINT,
  content_hash VARCHAR,
  availability VARCHAR NOT NULL DEFAULT 'available',
  cal_obsnum BIGINT,
  cal_subobsnum INTEGER,
  cal_scannum INTEGER,
  problem VARCHAR,
  header JSON,
  ingest_time TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
);
-- (location_id, rel_path) is unique, kept so by the one ingest writer (it
-- compares every file with a snapshot of the location's sources). No UNIQUE
-- index: on strings it tripled the cost of bulk ingest (bench/RESULTS.md).
CREATE INDEX idx_sources_product ON sources (product_id);

-- Telescope metadata per telescope file (origin tel_toltec / tel_toltec2) or
-- catalogue row (origin csv). A tcs raw observation takes its typed telescope
-- columns from its own quartet's best row, else from the lowest
-- (subobsnum, scannum) row of its obsnum (ingest recomputes; order-independent).
CREATE TABLE tel_meta (
  master VARCHAR NOT NULL,
  obsnum BIGINT NOT NULL,
  subobsnum INTEGER NOT NULL,
  scannum INTEGER NOT NULL,
  origin VARCHAR NOT NULL,
  origin_rank INTEGER NOT NULL,
  obs_goal VARCHAR,
  source_name VARCHAR,
  project_id VARCHAR,
  obs_pgm VARCHAR,
  tau DOUBLE,
  integration_time DOUBLE,
  az_deg DOUBLE,
  el_deg DOUBLE,
  extra JSON,
  updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
  PRIMARY KEY (master, obsnum, subobsnum, scannum, origin)
);

-- Directed edges: group -> member, raw obs -> cal obs, reduced -> raw.
CREATE TABLE edges (
  id BIGINT PRIMARY KEY DEFAULT nextval('seq_edges'),
  assoc_type VARCHAR NOT NULL,
  src_product_id BIGINT NOT NULL,
  dst_product_id BIGINT NOT NULL,
  context JSON,
  created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
);
CREATE INDEX idx_edges_src ON edges (src_product_id);
CREATE INDEX idx_edges_dst ON edges (dst_product_id);

-- Append-only log of what happened.
CREATE TABLE events (
  id BIGINT PRIMARY KEY DEFAULT nextval('seq_events'),
  time TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
  kind VARCHAR NOT NULL,
  subject VARCHAR,
  message VARCHAR,
  details JSON
);

-- Key/value state of the association engine (the "database" state backend).
CREATE TABLE assoc_state (
  key VARCHAR PRIMARY KEY,
  value JSON NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP
);
)SQL";

struct Registry {
  std::string_view name;
  const char* description;
};

constexpr Registry kProductTypes[] = {
    {product_type::raw_obs, "Raw observation: one quartet, one file per network plus telescope/hwpr files"},
    {product_type::reduced_obs, "Reduced observation: reduction products of one raw observation"},
    {product_type::cal_group, "Calibration group: a VNA sweep and the target sweeps/tunes that follow it"},
    {product_type::drivefit, "Drive-fit series: target sweeps of one (master, obsnum)"},
    {product_type::focus_group, "Focus sequence: consecutive obsnums with ObsGoal focus"},
    {product_type::astig_group, "Astigmatism sequence: consecutive obsnums with ObsGoal astig/astigmatism"},
    {product_type::named_group, "Named group: products grouped by a user"},
};

constexpr Registry kAssocTypes[] = {
    {edge_type::raw_obs_cal_obs, "Raw observation -> the raw observation its TargSweep pointer names"},
    {edge_type::cal_group_raw_obs, "Calibration group -> member sweep"},
    {edge_type::drivefit_raw_obs, "Drive-fit group -> member target sweep"},
    {edge_type::focus_group_raw_obs, "Focus group -> member observation"},
    {edge_type::astig_group_raw_obs, "Astigmatism group -> member observation"},
    {edge_type::named_group_data_prod, "Named group -> member product"},
    {edge_type::reduced_obs_raw_obs, "Reduced observation -> its raw observation"},
};

void fill_registries(Connection& con) {
  auto pt = con.prepare(
      "INSERT INTO product_types (name, description) VALUES ($1, $2) "
      "ON CONFLICT (name) DO UPDATE SET description = excluded.description");
  for (const auto& r : kProductTypes) pt.bind(1, r.name).bind(2, r.description).execute();
  auto at = con.prepare(
      "INSERT INTO assoc_types (name, description) VALUES ($1, $2) "
      "ON CONFLICT (name) DO UPDATE SET description = excluded.description");
  for (const auto& r : kAssocTypes) at.bind(1, r.name).bind(2, r.description).execute();
  auto dk = con.prepare(
      "INSERT INTO data_kinds (name, bit, description) VALUES ($1, $2, $3) "
      "ON CONFLICT (name) DO UPDATE SET description = excluded.description");
  for (const auto& k : all_data_kinds())
    dk.bind(1, k.name).bind(2, static_cast<std::int64_t>(bits(k.kind))).bind(3, k.description).execute();
}

// The tables and sequences of version 1 (kSchemaV1).
constexpr const char* kV1Tables[] = {"schema_meta", "product_types", "assoc_types", "data_kinds", "locations", "products",
                                     "sources",     "tel_meta",      "edges",       "events",     "assoc_state"};
constexpr const char* kV1Sequences[] = {"seq_product_types", "seq_assoc_types", "seq_data_kinds",
                                        "seq_locations",     "seq_products",    "seq_sources",
                                        "seq_edges",         "seq_events",      "seq_ingest"};

std::vector<std::string> names(Connection& con, const char* sql) {
  std::vector<std::string> out;
  for (auto& row : con.prepare(sql).execute().rows())
    if (auto* v = std::get_if<std::string>(&row[0])) out.push_back(*v);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> main_tables(Connection& con) {
  return names(con, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'");
}

std::string join(const std::vector<std::string>& v, std::size_t max = 8) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max) out += fmt::format(", … ({} in all)", v.size());
  return out;
}

// What a database without a schema_version row holds.
enum class Unversioned { empty, complete_v1, foreign };

Unversioned classify_unversioned(Connection& con, std::vector<std::string>& missing, std::vector<std::string>& found) {
  found = main_tables(con);
  if (found.empty()) return Unversioned::empty;
  auto seqs = names(con, "SELECT sequence_name FROM duckdb_sequences() WHERE schema_name = 'main'");
  missing.clear();
  for (const char* t : kV1Tables)
    if (std::string_view(t) != "schema_meta" && !std::binary_search(found.begin(), found.end(), std::string(t)))
      missing.emplace_back(t);
  for (const char* q : kV1Sequences)
    if (!std::binary_search(seqs.begin(), seqs.end(), std::string(q))) missing.emplace_back(q);
  return missing.empty() ? Unversioned::complete_v1 : Unversioned::foreign;
}

storage::SchemaRefused foreign_error(const std::string& db_name, const std::vector<std::string>& found,
                                     const std::vector<std::string>& missing) {
  bool ours = std::any_of(std::begin(kV1Tables), std::end(kV1Tables), [&](const char* t) {
    return std::binary_search(found.begin(), found.end(), std::string(t));
  });
  using P = storage::SchemaRefused::Problem;
  return storage::SchemaRefused(ours ? P::incomplete : P::foreign, db_name, 0, kSchemaVersion, join(found),
                                ours ? join(missing) : std::string());
}

void insert_version_rows(Connection& con) {
  auto st = con.prepare("INSERT INTO schema_meta VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  st.bind(1, "schema_version").bind(2, std::to_string(kSchemaVersion)).execute();
  st.bind(1, "created_by").bind(2, std::string("tolteca_db ") + kVersion).execute();
}

bool has_table(Connection& con, const char* name) {
  auto st = con.prepare("SELECT count(*) FROM information_schema.tables WHERE table_name = $1");
  st.bind(1, name);
  auto rows = st.execute().rows();
  return !rows.empty() && std::get<std::int64_t>(rows[0][0]) > 0;
}

// Version 2: each observation's file summary (file_summary.h), computed from the sources it has.
void migrate_to_file_summary(Connection& con) {
  create_file_summary_table(con);
  rebuild_file_summaries(con);
}

}  // namespace

std::optional<int> read_schema_version(Connection& con) {
  if (!has_table(con, "schema_meta")) return std::nullopt;
  auto v = con.scalar_string("SELECT value FROM schema_meta WHERE key = 'schema_version'");
  if (!v) return std::nullopt;
  int out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size() || out < 1)
    throw UserError(fmt::format("schema_meta.schema_version is '{}', not a schema version number: the database is "
                                "damaged or was not written by tolteca_db",
                                v->size() > 40 ? v->substr(0, 40) + "…" : *v));
  return out;
}

bool create_or_migrate_schema(Connection& con, const std::string& db_name) {
  auto version = read_schema_version(con);
  if (version && *version > kSchemaVersion)
    throw UserError(fmt::format(
        "the database has schema version {}, newer than this tolteca_db ({}) understands; upgrade tolteca_db",
        *version, kSchemaVersion));
  Transaction tx(con);
  bool created = false;
  if (!version) {
    std::vector<std::string> missing, found;
    switch (classify_unversioned(con, missing, found)) {
      case Unversioned::empty:
        con.execute(kSchemaV1);
        created = true;
        break;
      case Unversioned::complete_v1:  // every v1 table and sequence, only the version row is gone: repair
        if (!has_table(con, "schema_meta"))
          con.execute("CREATE TABLE schema_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
        con.execute(
            "INSERT INTO events (kind, subject, message) VALUES ('schema', 'schema_meta', "
            "'db init restored the missing schema_version row of a complete version-1 schema')");
        break;
      case Unversioned::foreign: throw foreign_error(db_name, found, missing);
    }
  }
  // A new database is created as version 1 and then migrated like an old one, so both take one path;
  // the version row (new, restored or older) is written once, after the migrations.
  const int from = created ? 1 : version.value_or(1);
  if (from < 2) migrate_to_file_summary(con);
  if (from < kSchemaVersion) insert_version_rows(con);
  fill_registries(con);
  tx.commit();
  return created;
}

void require_current_schema(Connection& con, const std::string& db_name) {
  auto version = read_schema_version(con);
  if (!version) {
    std::vector<std::string> missing, found;
    switch (classify_unversioned(con, missing, found)) {
      case Unversioned::empty:
        throw storage::SchemaRefused(storage::SchemaRefused::Problem::no_schema, db_name, 0, kSchemaVersion, {}, {});
      case Unversioned::complete_v1:
        throw storage::SchemaRefused(storage::SchemaRefused::Problem::lost_version, db_name, 0, kSchemaVersion, {}, {});
      case Unversioned::foreign: throw foreign_error(db_name, found, missing);
    }
  }
  if (*version > kSchemaVersion)
    throw UserError(fmt::format(
        "database {} has schema version {}, newer than this tolteca_db ({}) understands; upgrade tolteca_db",
        db_name, *version, kSchemaVersion));
  if (*version < kSchemaVersion)
    throw storage::SchemaRefused(storage::SchemaRefused::Problem::older, db_name, *version, kSchemaVersion, {}, {});
}

}  // namespace tolteca::storage::duckdb

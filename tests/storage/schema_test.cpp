#include "storage/duckdb/schema.h"

#include <gtest/gtest.h>

#include "storage/duckdb/admin.h"
#include "storage/duckdb/backup.h"
#include "storage/duckdb/session.h"
#include "model/error.h"
#include "storage/errors.h"
#include "support/test_db.h"
#include "support/test_support.h"

namespace tolteca::storage::duckdb {
namespace {

std::unique_ptr<Session> open_file(const test::TempDir& dir, OpenMode mode) {
  return Session::open((dir / "t.duckdb").string(), OpenOptions{mode, 0, {}});
}

std::unique_ptr<Session> open_memory() { return test::fresh_registry(); }

TEST(Schema, CreatesRegistriesAndIsIdempotent) {
  test::TempDir dir;
  {
    auto s = open_file(dir, OpenMode::Create);
    EXPECT_TRUE(s->created_schema());
    EXPECT_EQ(read_schema_version(s->con()), kSchemaVersion);
    EXPECT_EQ(s->con().scalar_int("SELECT count(*) FROM product_types"), 7);
    EXPECT_EQ(s->con().scalar_int("SELECT count(*) FROM assoc_types"), 7);
    EXPECT_EQ(s->con().scalar_int("SELECT count(*) FROM data_kinds"), 5);
    EXPECT_EQ(s->con().scalar_int("SELECT bit FROM data_kinds WHERE name = 'Tune'"), 4);
    EXPECT_EQ(s->con().scalar_int("SELECT count(*) FROM product_types WHERE description = ''"), 0);
  }
  {
    auto s = open_file(dir, OpenMode::Create);
    EXPECT_FALSE(s->created_schema());
    EXPECT_EQ(s->con().scalar_int("SELECT count(*) FROM product_types"), 7);
  }
  auto s = open_file(dir, OpenMode::ReadWrite);
  EXPECT_EQ(read_schema_version(s->con()), kSchemaVersion);
}

TEST(Schema, MissingDatabaseIsNotCreatedByReaders) {
  test::TempDir dir;
  EXPECT_THROW(open_file(dir, OpenMode::ReadOnly), UserError);
  EXPECT_THROW(open_file(dir, OpenMode::ReadWrite), UserError);
  EXPECT_FALSE(std::filesystem::exists(dir / "t.duckdb"));
}

TEST(Schema, NewerVersionIsRefusedWithAClearMessage) {
  test::TempDir dir;
  {
    auto s = open_file(dir, OpenMode::Create);
    s->con().execute("UPDATE schema_meta SET value = '99' WHERE key = 'schema_version'");
  }
  for (auto mode : {OpenMode::ReadOnly, OpenMode::ReadWrite, OpenMode::Create}) {
    try {
      open_file(dir, mode);
      ADD_FAILURE() << "opened a version-99 database";
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
    }
  }
}

TEST(Schema, DatabaseWithoutSchemaIsNamed) {
  test::TempDir dir;
  { Database raw((dir / "t.duckdb").string()); }
  try {
    open_file(dir, OpenMode::ReadOnly);
    FAIL();
  } catch (const storage::SchemaRefused& e) {
    // The facts; the CLI adds "run 'tolteca_db db init' first" (tests/cli/error_phrasing_test.cpp).
    EXPECT_EQ(e.problem, storage::SchemaRefused::Problem::no_schema);
    EXPECT_EQ(e.name, (dir / "t.duckdb").string());
    EXPECT_NE(std::string(e.what()).find("has no tolteca_db schema"), std::string::npos) << e.what();
  }
}

TEST(Locations, UpsertAddsAndUpdates) {
  auto s = open_memory();
  auto a = upsert_location(*s, "LMT", "/data_lmt", 1);
  auto b = upsert_location(*s, "UMass", "/archive", 0);
  EXPECT_NE(a.id, b.id);
  auto a2 = upsert_location(*s, "LMT", "/new_root", 5);
  EXPECT_EQ(a2.id, a.id);
  EXPECT_EQ(a2.root_path, "/new_root");
  EXPECT_EQ(list_locations(*s).size(), 2u);
  EXPECT_THROW(upsert_location(*s, "", "/x"), UserError);
}

TEST(ExportImport, ParquetRoundTripRestoresEveryRowAndSequences) {
  test::TempDir dir;
  auto src = Session::open((dir / "a.duckdb").string(), OpenOptions{OpenMode::Create, 0, {}});
  upsert_location(*src, "LMT", "/data_lmt");
  auto& c = src->con();
  c.execute(
      "INSERT INTO products (product_type, uid, name, master, obsnum, subobsnum, scannum, data_kind, ingest_seq) "
      "SELECT 'dp_raw_obs', 'ics-' || i || '-0-0', 'ics-' || i || '-0-0', 'ics', i, 0, 0, 1, nextval('seq_ingest') "
      "FROM range(100) t(i)");
  c.execute(
      "INSERT INTO sources (product_id, location_id, rel_path, interface, roach, data_kind) "
      "SELECT id, 1, 'toltec/ics/toltec0/f' || id || '.nc', 'toltec0', 0, 1 FROM products");
  c.execute("INSERT INTO events (kind, subject, message) VALUES ('ingest', 'x', 'y')");
  auto files = export_tables(*src, (dir / "exp").string(), {}, ExportFormat::parquet);
  EXPECT_EQ(files.size(), schema_tables().size());

  auto dst = Session::open((dir / "b.duckdb").string(), OpenOptions{OpenMode::Create, 0, {}});
  import_tables(*dst, (dir / "exp").string());
  for (const auto& t : schema_tables()) {
    std::string q = "SELECT count(*) FROM (SELECT * FROM " + t + " EXCEPT ALL SELECT * FROM read_parquet('" +
                    (dir / "exp" / (t + ".parquet")).string() + "'))";
    EXPECT_EQ(dst->con().scalar_int(q), 0) << t;
    EXPECT_EQ(dst->con().scalar_int("SELECT count(*) FROM " + t), src->con().scalar_int("SELECT count(*) FROM " + t))
        << t;
  }
  // New rows get fresh ids past the restored ones.
  dst->con().execute("INSERT INTO products (product_type, uid, name) VALUES ('dp_named_group', 'named:x', 'x')");
  EXPECT_EQ(dst->con().scalar_int("SELECT count(DISTINCT id) FROM products"), 101);
  EXPECT_GT(dst->con().scalar_int("SELECT nextval('seq_ingest')").value(), 100);
  // Importing again into a non-empty database is refused.
  EXPECT_THROW(import_tables(*dst, (dir / "exp").string()), UserError);
}

TEST(ExportImport, UnknownTableIsAUserError) {
  test::TempDir dir;
  auto s = open_memory();
  EXPECT_THROW(export_tables(*s, dir.str(), {"nope"}, ExportFormat::csv), UserError);
}

}  // namespace
}  // namespace tolteca::storage::duckdb

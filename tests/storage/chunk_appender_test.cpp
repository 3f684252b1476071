// storage/duckdb/chunk_appender.h: typed cells, NULLs, narrowing, defaults for unlisted columns, rows
// spanning several chunks, and errors naming the table.
#include "storage/duckdb/chunk_appender.h"

#include <gtest/gtest.h>

#include <string>

namespace tolteca::storage::duckdb {
namespace {

class ChunkAppenderTest : public ::testing::Test {
 protected:
  Database db{":memory:"};
  Connection con{db};
};

TEST_F(ChunkAppenderTest, TypedCellsAndNullsRoundTrip) {
  con.execute("CREATE SEQUENCE seq; CREATE TABLE t (id BIGINT DEFAULT nextval('seq'), i BIGINT, n INTEGER, "
              "s SMALLINT, ts TIMESTAMP, b BOOLEAN, d DOUBLE, v VARCHAR)");
  {
    ChunkAppender a(con, "t", {"i", "n", "s", "ts", "b", "d", "v"});
    a.i64(0, -5);
    a.i64(1, 70000);
    a.i64(2, 300);
    a.i64(3, 1'700'000'000'000'001);
    a.boolean(4, true);
    a.dbl(5, 2.5);
    a.str(6, std::string_view("it's"));
    a.end_row();
    a.i64(0, std::nullopt);
    a.i64(1, std::nullopt);
    a.null(2);
    a.i64(3, std::nullopt);
    a.boolean(4, false);
    a.dbl(5, std::nullopt);
    a.str(6, std::optional<std::string>());
    a.end_row();
    a.close();
  }
  auto rows = con.query("SELECT id, i, n, s, ts, b, d, v FROM t ORDER BY id").rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][0]), 1);  // the unlisted column took its default
  EXPECT_EQ(std::get<std::int64_t>(rows[0][1]), -5);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][2]), 70000);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][3]), 300);
  EXPECT_EQ(std::get<Timestamp>(rows[0][4]).micros, 1'700'000'000'000'001);
  EXPECT_TRUE(std::get<bool>(rows[0][5]));
  EXPECT_DOUBLE_EQ(std::get<double>(rows[0][6]), 2.5);
  EXPECT_EQ(std::get<std::string>(rows[0][7]), "it's");
  for (std::size_t c : {1u, 2u, 3u, 4u, 6u, 7u})
    EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[1][c])) << "column " << c;
  EXPECT_FALSE(std::get<bool>(rows[1][5]));
}

TEST_F(ChunkAppenderTest, RowsSpanningSeveralChunksAllArrive) {
  con.execute("CREATE TABLE t (i BIGINT, v VARCHAR)");
  const std::int64_t n = 3 * static_cast<std::int64_t>(duckdb_vector_size()) + 17;
  {
    ChunkAppender a(con, "t", {"i", "v"});
    for (std::int64_t k = 0; k < n; ++k) {
      a.i64(0, k);
      if (k % 3 == 0) a.null(1);
      else a.str(1, std::string_view(std::to_string(k) + " a string longer than twelve bytes"));
      a.end_row();
    }
    a.close();
  }
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), n);
  EXPECT_EQ(con.scalar_int("SELECT sum(i) FROM t"), n * (n - 1) / 2);
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t WHERE v IS NULL"), (n + 2) / 3);
  EXPECT_EQ(con.scalar_string("SELECT v FROM t WHERE i = 4"), "4 a string longer than twelve bytes");
}

TEST_F(ChunkAppenderTest, AppendsWithinTheConnectionsTransaction) {
  con.execute("CREATE TABLE t (i BIGINT)");
  {
    Transaction tx(con);
    ChunkAppender a(con, "t", {"i"});
    a.i64(0, 1);
    a.end_row();
    a.close();
  }  // rolled back
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), 0);
}

TEST_F(ChunkAppenderTest, ErrorsNameTheTable) {
  con.execute("CREATE TABLE t (i BIGINT, v VARCHAR)");
  try {
    ChunkAppender a(con, "t", {"nope"});
    FAIL() << "an unknown column was accepted";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("appender t (nope)"), std::string::npos) << e.what();
  }
  ChunkAppender a(con, "t", {"v"});
  try {
    a.i64(0, 1);
    FAIL() << "an integer went into a VARCHAR column";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("appender t: column 0 is not an integer column"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tolteca::storage::duckdb

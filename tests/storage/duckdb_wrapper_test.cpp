#include "storage/duckdb/duckdb.h"

#include <gtest/gtest.h>

namespace tolteca::storage::duckdb {
namespace {

class DuckDbWrapperTest : public ::testing::Test {
 protected:
  Database db{":memory:"};
  Connection con{db};
};

TEST_F(DuckDbWrapperTest, TypedBindsRoundTrip) {
  con.execute("CREATE TABLE t (i BIGINT, d DOUBLE, s VARCHAR, b BOOLEAN, ts TIMESTAMP, n INTEGER)");
  auto ins = con.prepare("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)");
  EXPECT_EQ(ins.parameter_count(), 6u);
  ins.bind(1, std::int64_t{-42}).bind(2, 2.5).bind(3, "it's \"quoted\"").bind(4, true).bind(5, Timestamp{1'700'000'000'123'456});
  ins.bind_null(6).execute();
  auto rows = con.query("SELECT i, d, s, b, ts, n FROM t").rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][0]), -42);
  EXPECT_DOUBLE_EQ(std::get<double>(rows[0][1]), 2.5);
  EXPECT_EQ(std::get<std::string>(rows[0][2]), "it's \"quoted\"");
  EXPECT_TRUE(std::get<bool>(rows[0][3]));
  EXPECT_EQ(std::get<Timestamp>(rows[0][4]).micros, 1'700'000'000'123'456);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[0][5]));
}

TEST_F(DuckDbWrapperTest, OptionalBindsNullWhenEmpty) {
  con.execute("CREATE TABLE t (x BIGINT)");
  auto ins = con.prepare("INSERT INTO t VALUES ($1)");
  ins.bind(1, std::optional<std::int64_t>{}).execute();
  ins.bind(1, std::optional<std::int64_t>{7}).execute();
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t WHERE x IS NULL"), 1);
  EXPECT_EQ(con.scalar_int("SELECT sum(x) FROM t"), 7);
}

TEST_F(DuckDbWrapperTest, AppenderWritesRowsAndChunksReadThem) {
  con.execute("CREATE TABLE t (i BIGINT, s VARCHAR, d DOUBLE)");
  {
    auto app = con.appender("t");
    for (int i = 0; i < 5000; ++i) {
      app.append(std::int64_t{i}).append("row" + std::to_string(i));
      if (i % 2) app.append(i * 0.5); else app.append_null();
      app.end_row();
    }
    app.close();
  }
  auto res = con.query("SELECT i, s, d FROM t ORDER BY i");
  std::int64_t seen = 0, nulls = 0;
  for (auto chunk = res.next_chunk(); chunk && chunk.size(); chunk = res.next_chunk()) {
    const auto* ids = chunk.data<std::int64_t>(0);
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      ASSERT_EQ(ids[r], seen);
      ASSERT_EQ(chunk.string(1, r), "row" + std::to_string(seen));
      if (chunk.is_null(2, r)) ++nulls;
      ++seen;
    }
  }
  EXPECT_EQ(seen, 5000);
  EXPECT_EQ(nulls, 2500);
}

TEST_F(DuckDbWrapperTest, TransactionRollsBackOnException) {
  con.execute("CREATE TABLE t (x INTEGER)");
  try {
    Transaction tx(con);
    con.execute("INSERT INTO t VALUES (1)");
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), 0);
  {
    Transaction tx(con);
    con.execute("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), 1);
}

TEST_F(DuckDbWrapperTest, TransactionRollsBackAfterFailedStatement) {
  con.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)");
  EXPECT_THROW(
      {
        Transaction tx(con);
        con.execute("INSERT INTO t VALUES (1)");
        con.execute("INSERT INTO t VALUES (1)");  // duplicate key
        tx.commit();
      },
      DbError);
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), 0);
  // The connection is usable afterwards.
  con.execute("INSERT INTO t VALUES (3)");
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM t"), 1);
}

TEST_F(DuckDbWrapperTest, ErrorsCarryDuckDbMessage) {
  try {
    con.execute("SELECT * FROM no_such_table");
    FAIL() << "expected DbError";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  try {
    con.prepare("SELEC 1");
    FAIL() << "expected DbError";
  } catch (const DbError& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  con.execute("CREATE TABLE t (x INTEGER NOT NULL)");
  auto app = con.appender("t");
  EXPECT_THROW(app.append("not a number").end_row().flush(), DbError);
  EXPECT_THROW(con.appender("missing_table"), DbError);
}

TEST_F(DuckDbWrapperTest, QuotingIsSafe) {
  EXPECT_EQ(quote_literal("a'b"), "'a''b'");
  EXPECT_EQ(quote_identifier("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(con.scalar_string("SELECT " + quote_literal("O'Brien; DROP TABLE x")), "O'Brien; DROP TABLE x");
}

TEST(DuckDbLibrary, IsTheLtsVersion) { EXPECT_EQ(library_version(), "v1.4.4"); }

TEST(DuckDbLibrary, ParquetIsBuiltIn) {
  Database db(":memory:");
  Connection con(db);
  con.execute("COPY (SELECT 42 AS x) TO '/dev/null' (FORMAT PARQUET)");
  EXPECT_EQ(con.scalar_int("SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'parquet' AND loaded"), 1);
}

}  // namespace
}  // namespace tolteca::storage::duckdb

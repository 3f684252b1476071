// The MySQL/MariaDB site-database reader against a real MariaDB (scripts/db-servers.sh): the same rows
// as the SQLite route for the same simulated night, the same filters, the label tables, read-only
// access, and errors that name the input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/error.h"
#include "servers/site_db_loader.h"
#include "storage/site_db.h"
#include "support/test_support.h"

namespace tolteca {
namespace {

using storage::SiteDbFilter;
using storage::SiteDbRow;

std::vector<SiteDbRow> read_all(const std::string& source, const SiteDbFilter& f = {}) {
  std::vector<SiteDbRow> rows;
  std::int64_t n = storage::read_site_db(source, f, [&](const SiteDbRow& r) { rows.push_back(r); });
  EXPECT_EQ(n, static_cast<std::int64_t>(rows.size()));
  return rows;
}

void expect_same_rows(const std::vector<SiteDbRow>& a, const std::vector<SiteDbRow>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(a[i].id));
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].date, b[i].date);
    EXPECT_EQ(a[i].time, b[i].time);
    EXPECT_EQ(a[i].roach, b[i].roach);
    EXPECT_EQ(a[i].obs_type, b[i].obs_type);
    EXPECT_EQ(a[i].master, b[i].master);
    EXPECT_EQ(a[i].repeat_level, b[i].repeat_level);
    EXPECT_EQ(a[i].obsnum, b[i].obsnum);
    EXPECT_EQ(a[i].subobsnum, b[i].subobsnum);
    EXPECT_EQ(a[i].scannum, b[i].scannum);
    EXPECT_EQ(a[i].ts_obsnum, b[i].ts_obsnum);
    EXPECT_EQ(a[i].ts_subobsnum, b[i].ts_subobsnum);
    EXPECT_EQ(a[i].ts_scannum, b[i].ts_scannum);
    EXPECT_EQ(a[i].file_name, b[i].file_name);
    EXPECT_EQ(a[i].valid, b[i].valid);
    EXPECT_EQ(a[i].bad_values, b[i].bad_values);
  }
}

// One simulated night (names only: the reader needs the rows, not the files), in SQLite and in MariaDB.
class MysqlReader : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    sqlite_ = (*dir_ / "toltec.sqlite").string();
    auto r = test::run_cli({"simulate", (*dir_ / "data_lmt").string(), "--seed", "5", "--names-only", "--toltec-db",
                            sqlite_, "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    admin_ = new test::MysqlAdmin();
    db_ = test::unique_db_name("reader");
    shifted_db_ = test::unique_db_name("shifted");
    n_rows_ = test::load_site_db(*admin_, sqlite_, db_);
    test::load_site_db(*admin_, sqlite_, shifted_db_, {.shifted_label_ids = true});
  }
  static void TearDownTestSuite() {
    if (admin_) {
      for (const auto& db : {db_, shifted_db_}) admin_->exec("DROP DATABASE IF EXISTS `" + db + "`");
      delete admin_;
    }
    delete dir_;
  }
  static std::string url(const std::string& db) {
    const auto& s = test::mysql_server();
    return s.url(db, s.reader, s.reader_password);
  }
  static test::TempDir* dir_;
  static test::MysqlAdmin* admin_;
  static std::string sqlite_, db_, shifted_db_;
  static std::int64_t n_rows_;
};
test::TempDir* MysqlReader::dir_ = nullptr;
test::MysqlAdmin* MysqlReader::admin_ = nullptr;
std::string MysqlReader::sqlite_, MysqlReader::db_, MysqlReader::shifted_db_;
std::int64_t MysqlReader::n_rows_ = 0;

TEST_F(MysqlReader, SameRowsAsTheSqliteExtract) {
  ASSERT_GT(n_rows_, 50);
  auto lite = read_all(sqlite_);
  EXPECT_EQ(static_cast<std::int64_t>(lite.size()), n_rows_);
  expect_same_rows(lite, read_all(url(db_)));
  // The other spellings of the URL read the same rows.
  const auto& s = test::mysql_server();
  for (const std::string scheme : {"mysql+pymysql://", "mariadb://"}) {
    std::string u = url(db_);
    u.replace(0, std::string("mysql://").size(), scheme);
    EXPECT_EQ(read_all(u).size(), lite.size()) << u;
  }
  // Date and Time are DATE and TIME on the server, read back as the SQLite route's text.
  auto types = admin_->column("SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + db_ +
                              "' AND TABLE_NAME = 'toltec' AND COLUMN_NAME IN ('Date', 'Time') ORDER BY COLUMN_NAME");
  EXPECT_EQ(types, (std::vector<std::string>{"date", "time"}));
  EXPECT_EQ(lite.front().date.size(), 10u);
  EXPECT_EQ(lite.front().time.size(), 8u);
  (void)s;
}

TEST_F(MysqlReader, FiltersSelectTheSameRows) {
  auto filter = [](std::string since, std::string until, std::vector<int> obs_types, bool valid_only,
                   std::int64_t min_id) {
    SiteDbFilter f;
    f.since = std::move(since);
    f.until = std::move(until);
    f.obs_types = std::move(obs_types);
    f.valid_only = valid_only;
    f.min_id = min_id;
    return f;
  };
  auto all = read_all(sqlite_, filter("", "", {}, false, 0));
  ASSERT_GT(all.size(), 10u);
  const SiteDbRow& mid = all[all.size() / 2];
  const std::vector<SiteDbFilter> filters{
      filter(mid.date, "", {}, true, 0),
      filter("", mid.date, {}, true, 0),
      filter(mid.date + " " + mid.time, "", {}, true, 0),
      filter("", mid.date + " " + mid.time, {}, true, 0),
      filter("2030-01-01", "", {}, true, 0),
      filter("", "", {2, 3}, true, 0),
      filter("", "", {4}, false, 0),
      filter("", "", {}, false, mid.id),
      filter("", "", {}, true, mid.id + 1),
  };
  std::size_t nonempty = 0;
  for (const auto& f : filters) {
    SCOPED_TRACE("since '" + f.since + "' until '" + f.until + "' min_id " + std::to_string(f.min_id));
    auto lite = read_all(sqlite_, f);
    if (!lite.empty() && lite.size() < all.size()) ++nonempty;
    expect_same_rows(lite, read_all(url(db_), f));
    expect_same_rows(lite, read_all(url(shifted_db_), f));  // obs_types are codes, not the stored ids
  }
  EXPECT_GE(nonempty, 6u);  // the filters really narrow
}

TEST_F(MysqlReader, LabelTablesTranslateStoredIds) {
  // The shifted copy stores Master 10.. and ObsType 20..; its label tables say what they mean.
  auto stored = admin_->column("SELECT MIN(Master) FROM `" + shifted_db_ + "`.toltec");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_GE(std::stoi(stored[0]), 10);
  expect_same_rows(read_all(sqlite_), read_all(url(shifted_db_)));
}

TEST_F(MysqlReader, ReadsWithASelectOnlyAccountAndChangesNothing) {
  const std::string sum = "CHECKSUM TABLE `" + db_ + "`.toltec, `" + db_ + "`.master, `" + db_ + "`.obstype";
  auto before = admin_->column("SELECT CONCAT_WS(',', COUNT(*), MAX(id), SUM(Valid)) FROM `" + db_ + "`.toltec");
  auto checksum = admin_->column(sum);
  read_all(url(db_));  // the reader account has SELECT only: any write would fail the read
  EXPECT_EQ(admin_->column("SELECT CONCAT_WS(',', COUNT(*), MAX(id), SUM(Valid)) FROM `" + db_ + "`.toltec"), before);
  EXPECT_EQ(admin_->column(sum), checksum);
}

std::string error_of(const std::string& source) {
  try {
    read_all(source);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_F(MysqlReader, ErrorsNameTheSourceAndHideThePassword) {
  const auto& s = test::mysql_server();
  const std::string hidden = "mysql://" + s.reader + ":***@" + s.host + ":" + std::to_string(s.port);
  std::string e = error_of(s.url(db_, s.reader, "wrong-secret"));
  EXPECT_NE(e.find(hidden + "/" + db_), std::string::npos) << e;
  EXPECT_NE(e.find("Access denied"), std::string::npos) << e;
  EXPECT_NE(e.find("MYSQL_PWD"), std::string::npos) << e;
  EXPECT_EQ(e.find("wrong-secret"), std::string::npos) << e;

  e = error_of(url("no_such_db"));
  EXPECT_NE(e.find("no_such_db"), std::string::npos) << e;
  EXPECT_NE(e.find("Unknown database"), std::string::npos) << e;
  EXPECT_EQ(e.find(s.reader_password), std::string::npos) << e;

  admin_->exec("CREATE DATABASE IF NOT EXISTS `" + db_ + "_empty`");
  e = error_of(url(db_ + "_empty"));
  EXPECT_NE(e.find("has no 'toltec' table"), std::string::npos) << e;
  EXPECT_NE(e.find(db_ + "_empty"), std::string::npos) << e;
  admin_->exec("CREATE TABLE `" + db_ + "_empty`.toltec (id INT PRIMARY KEY, Date DATE, Time TIME)");
  e = error_of(url(db_ + "_empty"));
  EXPECT_NE(e.find("has no column 'roachindex'"), std::string::npos) << e;
  admin_->exec("DROP DATABASE `" + db_ + "_empty`");

  // Nothing listens on port 1.
  e = error_of("mysql://" + s.reader + ":" + s.reader_password + "@127.0.0.1:1/" + db_);
  EXPECT_NE(e.find("mysql://" + s.reader + ":***@127.0.0.1:1/" + db_ + ": cannot connect"), std::string::npos) << e;
  EXPECT_NE(e.find("check the host and port"), std::string::npos) << e;
}

}  // namespace
}  // namespace tolteca

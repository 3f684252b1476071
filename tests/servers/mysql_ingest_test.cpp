// End to end: `tolteca_db ingest toltec-db mysql://…` against a real MariaDB holding a simulated
// night's site database gives the same registry as the SQLite route for the same night; the filters
// select the same rows; a bad URL, a wrong password and a missing table are clear errors naming the
// input. The password comes from $MYSQL_PWD or ~/.my.cnf, never the command line.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "servers/site_db_loader.h"
#include "support/test_support.h"

namespace tolteca {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json run_json(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  auto r = test::run_cli(args, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  try {
    return json::parse(r.out);
  } catch (const std::exception&) {
    ADD_FAILURE() << "not JSON: " << r.out << r.err;
    return {};
  }
}

// What differs between two registries holding the same facts: the file size and event times.
json comparable_stats(json s) {
  s.erase("db_size");
  for (auto& f : s["recent_failures"]) f.erase("time");
  return s;
}

json ingest_summary(json s) {
  for (const char* k : {"root", "elapsed_s", "files_per_s", "associations"}) s.erase(k);
  return s;
}

class MysqlIngest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_ / "data_lmt";
    sqlite_ = (tmp_ / "toltec.sqlite").string();
    auto r = test::run_cli({"simulate", root_.string(), "--seed", "4", "--names-only", "--toltec-db", sqlite_, "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    db_ = test::unique_db_name("ingest");
    n_rows_ = test::load_site_db(admin_, sqlite_, db_);
    const auto& s = test::mysql_server();
    url_ = s.url(db_, s.reader);  // no password in the URL: $MYSQL_PWD
    pwd_ = {"MYSQL_PWD=" + s.reader_password};
  }
  void TearDown() override { admin_.exec("DROP DATABASE IF EXISTS `" + db_ + "`"); }

  std::vector<std::string> ingest(const std::string& source, const fs::path& registry,
                                  std::vector<std::string> extra = {}) const {
    std::vector<std::string> a{"ingest", "toltec-db", source,  "--db",   registry.string(),
                               "--data-root", root_.string(), "--location", "LMT", "--json", "-q"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  test::TempDir tmp_;
  test::MysqlAdmin admin_;
  fs::path root_;
  std::string sqlite_, db_, url_;
  std::vector<std::string> pwd_;
  std::int64_t n_rows_ = 0;
};

TEST_F(MysqlIngest, SameRegistryAsTheSqliteRoute) {
  ASSERT_GT(n_rows_, 50);
  // One file gone locally: recorded as missing by both routes.
  for (const auto& e : fs::recursive_directory_iterator(root_ / "toltec"))
    if (e.is_regular_file() && e.path().filename().string().rfind("toltec3_", 0) == 0) {
      fs::remove(e.path());
      break;
    }
  const fs::path a = tmp_ / "sqlite.duckdb", b = tmp_ / "mysql.duckdb";
  json sa = run_json(ingest(sqlite_, a, {"--with-associations"}));
  json sb = run_json(ingest(url_, b, {"--with-associations"}), pwd_);
  EXPECT_EQ(sb["site_rows"], n_rows_);
  EXPECT_EQ(sb["missing_locally"], 1);
  EXPECT_EQ(ingest_summary(sa), ingest_summary(sb));
  EXPECT_EQ(sa["associations"].dump().size() > 2, true);
  for (const std::vector<std::string>& q :
       {std::vector<std::string>{"query", "obs", "--json"}, {"query", "files", "[]", "--json"},
        {"query", "groups", "--json"}}) {
    auto qa = q, qb = q;
    qa.insert(qa.end(), {"--db", a.string()});
    qb.insert(qb.end(), {"--db", b.string()});
    json ja = run_json(qa), jb = run_json(qb);
    EXPECT_FALSE(ja.empty()) << q[1];
    EXPECT_EQ(ja, jb) << q[1];
  }
  json st_a = run_json({"query", "stats", "--json", "--db", a.string()});
  json st_b = run_json({"query", "stats", "--json", "--db", b.string()});
  EXPECT_GT(st_a["files"].get<std::int64_t>(), 50);
  EXPECT_EQ(st_a["missing_files"], 1);
  EXPECT_EQ(comparable_stats(st_a), comparable_stats(st_b));
  // Again: nothing changed in the site database, nothing changes in the registry.
  json again = run_json(ingest(url_, b), pwd_);
  EXPECT_EQ(again["new"], 0);
  EXPECT_GT(again["unchanged"].get<std::int64_t>(), 50);
}

TEST_F(MysqlIngest, FiltersSelectTheSameRows) {
  const fs::path reg = tmp_ / "r.duckdb";
  ASSERT_EQ(test::run_cli({"db", "init", "--db", reg.string()}).exit_code, 0);  // a dry run needs one
  json all = run_json(ingest(sqlite_, reg, {"--dry-run", "--include-invalid"}));
  std::vector<std::vector<std::string>> filters{{"--obstype", "vna,targ"},
                                                {"--obstype", "tune", "--include-invalid"},
                                                {"--limit", "17"},
                                                {"--since", "2030-01-01"}};
  // A bound inside the night: the Date of the middle row.
  auto dates = admin_.column("SELECT DATE_FORMAT(Date, '%Y-%m-%d') FROM `" + db_ + "`.toltec ORDER BY id");
  ASSERT_FALSE(dates.empty());
  const std::string mid = dates[dates.size() / 2];
  filters.push_back({"--since", mid});
  filters.push_back({"--until", mid});
  auto times = admin_.column("SELECT TIME_FORMAT(Time, '%H:%i:%s') FROM `" + db_ + "`.toltec ORDER BY id");
  filters.push_back({"--since", mid + "T" + times[times.size() / 2]});
  for (const auto& f : filters) {
    auto extra = f;
    extra.push_back("--dry-run");
    json x = run_json(ingest(sqlite_, reg, extra));
    json y = run_json(ingest(url_, reg, extra), pwd_);
    EXPECT_EQ(x["site_rows"], y["site_rows"]) << f[0] << " " << f[1];
    EXPECT_EQ(ingest_summary(x), ingest_summary(y)) << f[0] << " " << f[1];
  }
  json vna = run_json(ingest(url_, reg, {"--dry-run", "--obstype", "vna"}), pwd_);
  EXPECT_GT(vna["site_rows"].get<std::int64_t>(), 0);
  EXPECT_LT(vna["site_rows"].get<std::int64_t>(), all["site_rows"].get<std::int64_t>());
  json limited = run_json(ingest(url_, reg, {"--dry-run", "--limit", "17"}), pwd_);
  EXPECT_EQ(limited["site_rows"], 17);
}

TEST_F(MysqlIngest, PasswordFromMyCnf) {
  const auto& s = test::mysql_server();
  test::TempDir home;
  test::write_bytes(home / ".my.cnf", "[client]\npassword=" + s.reader_password + "\n");
  fs::permissions(home / ".my.cnf", fs::perms::owner_read | fs::perms::owner_write);
  json r = run_json(ingest(url_, tmp_ / "r.duckdb"), {"HOME=" + home.str()});
  EXPECT_EQ(r["site_rows"], n_rows_);
  // Without it (and without $MYSQL_PWD) the server refuses.
  auto no = test::run_cli(ingest(url_, tmp_ / "r.duckdb"), {"HOME=" + tmp_.str()});
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_NE(no.err.find("Access denied"), std::string::npos) << no.err;
}

TEST_F(MysqlIngest, ErrorsNameTheInput) {
  const auto& s = test::mysql_server();
  const fs::path reg = tmp_ / "r.duckdb";
  auto fails = [&](const std::string& source, const std::vector<std::string>& env, const std::string& want) {
    auto r = test::run_cli(ingest(source, reg), env);
    EXPECT_EQ(r.exit_code, 1) << source << ": " << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
    return r.err;
  };
  fails("mysql://" + s.reader + "@" + s.host + ":port/" + db_, pwd_, "port 'port' is not a number");
  fails("mysql://" + s.reader + "@" + s.host + ":" + std::to_string(s.port), pwd_, "no database name");
  fails("mysql://" + s.reader + "@" + s.host + "/" + db_ + "?ssl=1", pwd_, "unknown URL option 'ssl'");
  std::string e = fails(url_, {"MYSQL_PWD=not-the-password"}, "Access denied");
  EXPECT_NE(e.find(url_), std::string::npos) << e;
  e = fails(s.url(db_, s.reader, "in-url-wrong"), {}, "Access denied");
  EXPECT_EQ(e.find("in-url-wrong"), std::string::npos) << e;  // never printed
  admin_.exec("CREATE DATABASE `" + db_ + "_notable`");
  fails(s.url(db_ + "_notable", s.reader), pwd_, "has no 'toltec' table");
  admin_.exec("DROP DATABASE `" + db_ + "_notable`");
  fails(s.url(db_ + "_absent", s.reader), pwd_, "Unknown database");
}

}  // namespace
}  // namespace tolteca

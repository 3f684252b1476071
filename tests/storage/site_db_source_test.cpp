// storage::parse_site_db_source: the SOURCE of `ingest toltec-db` / `serve --watch-site-db`.
#include <gtest/gtest.h>

#include "model/error.h"
#include "storage/site_db.h"

namespace tolteca::storage {
namespace {

using Kind = SiteDbSource::Kind;

TEST(SiteDbSource, SqlitePathsAndUrls) {
  auto s = parse_site_db_source("sqlite:////abs/t.sqlite");
  EXPECT_EQ(s.kind, Kind::sqlite);
  EXPECT_EQ(s.path, "/abs/t.sqlite");
  EXPECT_EQ(parse_site_db_source("rel/t.sqlite").path, "rel/t.sqlite");
  EXPECT_THROW(parse_site_db_source("sqlite:///"), UserError);
  EXPECT_THROW(parse_site_db_source("postgresql://h/db"), UserError);
}

TEST(SiteDbSource, MysqlUrlsInEverySpelling) {
  for (const char* u : {"mysql://toltec@sitedb.lmt:3307/toltec", "mysql+pymysql://toltec@sitedb.lmt:3307/toltec",
                        "mariadb://toltec@sitedb.lmt:3307/toltec", "mysql+mysqldb://toltec@sitedb.lmt:3307/toltec"}) {
    auto s = parse_site_db_source(u);
    EXPECT_EQ(s.kind, Kind::mysql) << u;
    EXPECT_EQ(s.user, "toltec");
    EXPECT_FALSE(s.has_password);
    EXPECT_EQ(s.host, "sitedb.lmt");
    EXPECT_EQ(s.port, 3307);
    EXPECT_EQ(s.dbname, "toltec");
    EXPECT_EQ(s.display, u);
  }
  auto d = parse_site_db_source("mysql://db.example/toltec");
  EXPECT_EQ(d.user, "");  // from ~/.my.cnf or the login name
  EXPECT_EQ(d.port, 0);   // the default
  auto v6 = parse_site_db_source("mysql://u@[::1]:3306/x");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 3306);
  auto sock = parse_site_db_source("mysql://u@/toltec?unix_socket=/run/mysqld/mysqld.sock&charset=utf8mb4");
  EXPECT_EQ(sock.unix_socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(sock.host, "localhost");
}

TEST(SiteDbSource, PasswordIsDecodedAndNeverShown) {
  auto s = parse_site_db_source("mysql://us%40er:p%40ss%3Aw@h/db");
  EXPECT_EQ(s.user, "us@er");
  EXPECT_TRUE(s.has_password);
  EXPECT_EQ(s.password, "p@ss:w");
  EXPECT_EQ(s.display, "mysql://us%40er:***@h/db");
  try {
    parse_site_db_source("mysql://u:secret@h:99999/db");
    ADD_FAILURE() << "accepted port 99999";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_EQ(m.find("secret"), std::string::npos) << m;
    EXPECT_NE(m.find("mysql://u:***@h:99999/db"), std::string::npos) << m;
    EXPECT_NE(m.find("port '99999'"), std::string::npos) << m;
  }
}

TEST(SiteDbSource, MalformedMysqlUrlsSayWhy) {
  auto why = [](const std::string& u) {
    try {
      parse_site_db_source(u);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  EXPECT_NE(why("mysql://u@h").find("no database name"), std::string::npos);
  EXPECT_NE(why("mysql://u@h/").find("no database name"), std::string::npos);
  EXPECT_NE(why("mysql://u@/db").find("no host"), std::string::npos);
  EXPECT_NE(why("mysql://u@h:x/db").find("port 'x'"), std::string::npos);
  EXPECT_NE(why("mysql://u@h/db?ssl=1").find("unknown URL option 'ssl'"), std::string::npos);
  EXPECT_NE(why("mysql://u%zz@h/db").find("malformed %-escape"), std::string::npos);
  EXPECT_NE(why("mysql://u@h/a/b").find("not a database name"), std::string::npos);
}

}  // namespace
}  // namespace tolteca::storage

// The HTTP JSON API: the same JSON as --json, streamed exports, health and metrics, bad requests as
// 4xx with a JSON error naming the parameter, and writes only with the token.
#include <gtest/gtest.h>

#include "server/serve_fixture.h"

namespace tolteca::test {
namespace {

class ServeHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = make_night_registry(*dir_);
    write_bytes(*dir_ / "token", "0123456789abcdef-secret\n");
    server_ = new ServeProcess(db_, {"--token", (*dir_ / "token").string()});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static nlohmann::json error_of(const httplib::Result& r) { return nlohmann::json::parse(r->body); }
  static TempDir* dir_;
  static std::string db_;
  static ServeProcess* server_;
};
TempDir* ServeHttp::dir_ = nullptr;
std::string ServeHttp::db_;
ServeProcess* ServeHttp::server_ = nullptr;

TEST_F(ServeHttp, QueriesAnswerWithTheSameJsonAsTheCli) {
  ASSERT_TRUE(server_->ready());
  auto c = server_->http();
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"/api/v1/obs", {"query", "obs"}},
      {"/api/v1/obs?spec=latest&files=true", {"query", "obs", "latest", "--files"}},
      {"/api/v1/obs?newest=true&limit=3", {"query", "obs", "--newest", "--limit", "3"}},
      {"/api/v1/files?spec=latest", {"query", "files", "latest"}},
      {"/api/v1/groups", {"query", "groups"}},
      {"/api/v1/provenance?spec=latest", {"query", "provenance", "latest"}},
  };
  for (const auto& [path, args] : cases) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    auto cli_args = args;
    cli_args.insert(cli_args.end(), {"--db", db_, "--json"});
    auto cli = run_cli(cli_args);
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(nlohmann::json::parse(res->body), nlohmann::json::parse(cli.out)) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  }
  auto stats = c.Get("/api/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(nlohmann::json::parse(stats->body).at("files"),
            nlohmann::json::parse(run_cli({"query", "stats", "--db", db_, "--json"}).out).at("files"));
}

TEST_F(ServeHttp, ExportsStreamCsvJsonAndParquet) {
  ASSERT_TRUE(server_->ready());
  auto c = server_->http();
  auto csv = c.Get("/api/v1/export?format=csv&what=obs");
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  const std::string ref = (dir_->path() / "ref.csv").string();
  ASSERT_EQ(run_cli({"query", "export", ref, "--db", db_}).exit_code, 0);
  EXPECT_EQ(csv->body, read_bytes(ref));
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
  auto json = c.Get("/api/v1/export?format=json&what=files&limit=5");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200) << json->body;
  auto parquet = c.Get("/api/v1/export?format=parquet");
  ASSERT_TRUE(parquet);
  EXPECT_EQ(parquet->status, 200);
  EXPECT_EQ(parquet->body.substr(0, 4), "PAR1");
}

TEST_F(ServeHttp, BadRequestsGetA4xxWithAJsonErrorNamingTheParameter) {
  ASSERT_TRUE(server_->ready());
  auto c = server_->http();
  struct Case {
    std::string path;
    int status;
    std::string parameter;
  };
  const std::vector<Case> cases = {
      {"/api/v1/obs?limit=abc", 400, "limit"},
      {"/api/v1/obs?bogus=1", 400, "bogus"},
      {"/api/v1/obs?db=/etc/passwd", 400, "db"},
      {"/api/v1/export?output=/tmp/x.csv", 400, "output"},
      {"/api/v1/export?format=xlsx", 400, "format"},
      {"/api/v1/obs?since=yesterday-ish", 400, "since"},
      {"/api/v1/nothing", 404, ""},
  };
  for (const auto& k : cases) {
    auto res = c.Get(k.path);
    ASSERT_TRUE(res) << k.path;
    EXPECT_EQ(res->status, k.status) << k.path << ": " << res->body;
    auto j = error_of(res);
    EXPECT_FALSE(j.at("error").get<std::string>().empty()) << k.path;
    if (!k.parameter.empty()) {
      EXPECT_EQ(j.value("parameter", ""), k.parameter) << k.path << ": " << res->body;
    }
  }
  // Too large a request: 413.
  auto big = c.Post("/api/v1/command", std::string(2 << 20, 'x'), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
}

TEST_F(ServeHttp, WritesNeedTheToken) {
  ASSERT_TRUE(server_->ready());
  auto c = server_->http();
  const std::string body = R"({"argv": ["db", "location", "add", "ARCHIVE", "/data/archive"]})";
  auto none = c.Post("/api/v1/command", body, "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto wrong = c.Post("/api/v1/command", {{"Authorization", "Bearer nope"}}, body, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(run_cli({"db", "location", "list", "--db", db_}).out.find("ARCHIVE"), std::string::npos);
  auto right =
      c.Post("/api/v1/command", {{"Authorization", "Bearer 0123456789abcdef-secret"}}, body, "application/json");
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
  EXPECT_NE(run_cli({"db", "location", "list", "--db", db_}).out.find("ARCHIVE"), std::string::npos);
  auto bad = c.Post("/api/v1/command", {{"Authorization", "Bearer 0123456789abcdef-secret"}}, "{not json",
                    "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(error_of(bad).value("parameter", ""), "argv");
}

TEST_F(ServeHttp, HealthAndMetricsReportTheServer) {
  ASSERT_TRUE(server_->ready());
  auto c = server_->http();
  auto health = c.Get("/api/v1/health");
  ASSERT_TRUE(health);
  auto h = nlohmann::json::parse(health->body);
  EXPECT_EQ(h.at("status"), "ok");
  EXPECT_EQ(h.at("pid").get<long>(), server_->pid());
  ASSERT_TRUE(c.Get("/api/v1/obs"));
  auto metrics = c.Get("/api/v1/metrics");
  ASSERT_TRUE(metrics);
  auto m = nlohmann::json::parse(metrics->body);
  EXPECT_GT(m.at("http").at("requests").get<int>(), 0);
  EXPECT_TRUE(m.at("http").at("latency_ms").contains("p99"));
  EXPECT_GT(m.at("database_size_bytes").get<std::int64_t>(), 0);
  EXPECT_GT(m.at("rss_bytes").get<std::int64_t>(), m.at("registry_memory_bytes").get<std::int64_t>());
  EXPECT_GE(m.at("registry_memory_bytes").get<std::int64_t>(), 0);
  EXPECT_GT(m.at("uptime_s").get<double>(), 0.0);
  EXPECT_TRUE(m.contains("last_write_unix_s"));
  EXPECT_TRUE(m.contains("last_ingest"));
}

TEST(ServeHttpReadOnly, WithoutATokenThereIsNoWriteEndpoint) {
  TempDir dir;
  const std::string db = make_night_registry(dir);
  ServeProcess server(db);
  ASSERT_TRUE(server.ready());
  auto res = server.http().Post("/api/v1/command", R"({"argv": ["db", "vacuum"]})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_NE(res->body.find("--token"), std::string::npos);
}

}  // namespace
}  // namespace tolteca::test

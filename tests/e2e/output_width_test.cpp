// Table output at 80, 100 and 120 columns (COLUMNS): identifiers (uids, names,
// times, paths) are never cut, lines fit the width, a left-out column is named,
// and --wide shows every column.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

using namespace tolteca;
using nlohmann::json;

namespace {

struct Demo {
  test::TempDir tmp;
  std::string url, error;
  Demo() {
    const std::string root = (tmp / "data_lmt").string();
    url = "duckdb:///" + (tmp / "reg.duckdb").string();
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"simulate", root, "--seed", "1", "--scale", "0.1", "-q"},
             {"db", "init", "--db", url, "--location", "LMT", "--data-root", root},
             {"ingest", "directory", root, "--location", "LMT", "--db", url, "-q"},
             {"assoc", "generate", "--db", url}}) {
      auto r = test::run_cli(args);
      if (r.exit_code != 0 && error.empty()) error = fmt::format("{} {}: {}", args[0], args[1], r.err);
    }
  }
};

Demo& demo() {
  static Demo d;
  return d;
}

test::RunResult at(int width, std::vector<std::string> args) {
  args.push_back("--db");
  args.push_back(demo().url);
  return test::run_cli(args, {fmt::format("COLUMNS={}", width)});
}

json as_json(std::vector<std::string> args) {
  args.push_back("--json");
  auto r = at(100, args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::size_t width_of(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// No cell cut, every line within the width.
void expect_fits(const test::RunResult& r, int width, const std::string& what) {
  ASSERT_EQ(r.exit_code, 0) << what << ": " << r.err;
  EXPECT_EQ(r.out.find("…"), std::string::npos) << what << " at " << width << ":\n" << r.out;
  for (const auto& l : lines_of(r.out))
    EXPECT_LE(width_of(l), static_cast<std::size_t>(width)) << what << " at " << width << ": " << l;
}

// The text contains `word` as a whole cell (bounded by spaces or line ends).
bool has_whole(const std::string& text, const std::string& word) {
  for (const auto& l : lines_of(text)) {
    std::istringstream w(l);
    for (std::string cell; w >> cell;)
      if (cell == word) return true;
  }
  return false;
}

class OutputWidth : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { ASSERT_EQ(demo().error, "") << "setup"; }
};

TEST_P(OutputWidth, QueryObsKeepsUidsAndTimesWhole) {
  const int w = GetParam();
  auto all = as_json({"query", "obs"});
  ASSERT_GT(all.size(), 20u);
  // --limit 0: every observation (a terminal table shows the seed's default of 20 otherwise).
  auto r = at(w, {"query", "obs", "--limit", "0"});
  expect_fits(r, w, "query obs");
  for (const auto& o : all) {
    EXPECT_TRUE(has_whole(r.out, o["uid"].get<std::string>())) << o["uid"] << " at " << w;
    EXPECT_TRUE(has_whole(r.out, o["start_time"].get<std::string>())) << o["start_time"] << " at " << w;
  }
  // Something had to go at these widths, and the tool says what.
  EXPECT_NE(r.out.find(fmt::format("(not shown at {} columns:", w)), std::string::npos) << r.out;
  auto wide = at(w, {"query", "obs", "--wide", "--limit", "0"});
  ASSERT_EQ(wide.exit_code, 0);
  const auto header = lines_of(wide.out).front();
  for (const char* col : {"obs", "start (UT)", "kinds", "networks", "files", "goal", "source", "tau", "groups", "cal"})
    EXPECT_NE(header.find(col), std::string::npos) << col << " in " << header;
  EXPECT_EQ(wide.out.find("not shown"), std::string::npos);
  for (const auto& o : all)
    for (const auto& g : o["groups"]) EXPECT_NE(wide.out.find(g.get<std::string>()), std::string::npos) << g;
}

TEST_P(OutputWidth, QueryGroupsKeepsNamesWhole) {
  const int w = GetParam();
  auto all = as_json({"query", "groups"});
  ASSERT_GE(all.size(), 5u);
  auto r = at(w, {"query", "groups"});
  expect_fits(r, w, "query groups");
  for (const auto& g : all) {
    EXPECT_TRUE(has_whole(r.out, g["name"].get<std::string>())) << g["name"] << " at " << w;
    EXPECT_TRUE(has_whole(r.out, g["uid"].get<std::string>())) << g["uid"] << " at " << w;
    EXPECT_TRUE(has_whole(r.out, g["latest_member_time"].get<std::string>())) << " at " << w;
  }
  auto wide = at(w, {"query", "groups", "--wide"});
  ASSERT_EQ(wide.exit_code, 0);
  EXPECT_NE(lines_of(wide.out).front().find("n_items"), std::string::npos);
}

TEST_P(OutputWidth, QueryFilesPrintsWholePaths) {
  const int w = GetParam();
  auto all = as_json({"query", "files", "[]"});
  ASSERT_GT(all.size(), 100u);
  auto r = at(w, {"query", "files", "[]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(lines[i], all[i]["path"].get<std::string>());
}

TEST_P(OutputWidth, QueryStatsAndDbInfoFit) {
  const int w = GetParam();
  expect_fits(at(w, {"query", "stats"}), w, "query stats");
  auto info = at(w, {"db", "info"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_EQ(info.out.find("…"), std::string::npos);
  // The location root is a path: whole, however long.
  auto j = as_json({"db", "info"});
  EXPECT_NE(info.out.find(j["locations"][0]["root_path"].get<std::string>()), std::string::npos) << info.out;
  for (const auto& l : lines_of(info.out)) {
    if (l.find(j["locations"][0]["root_path"].get<std::string>()) == std::string::npos) {
      EXPECT_LE(width_of(l), static_cast<std::size_t>(w)) << l;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Columns, OutputWidth, ::testing::Values(80, 100, 120));

}  // namespace

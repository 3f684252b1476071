// Pure helpers of the query part: network compression, --where parsing,
// export formats.
#include <gtest/gtest.h>

#include "model/error.h"
#include "model/query_types.h"

using namespace tolteca;
using namespace tolteca::query;

TEST(Options, CompressNumbers) {
  struct Case {
    std::vector<int> in;
    const char* out;
  };
  const Case cases[] = {
      {{}, ""},
      {{3}, "3"},
      {{0, 1}, "0,1"},
      {{0, 1, 2}, "0-2"},
      {{0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12}, "0-5,7-9,11,12"},
      {{0, 2, 4}, "0,2,4"},
      {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "0-12"},
      {{1, 2, 5, 6, 7}, "1,2,5-7"},
  };
  for (const auto& c : cases) EXPECT_EQ(compress_numbers(c.in), c.out);
}

TEST(Options, ParseWhere) {
  struct Case {
    const char* text;
    const char* column;
    const char* op;
    const char* value;
  };
  const Case good[] = {
      {"obs_goal = focus", "obs_goal", "=", "focus"},
      {"  TAU<0.2 ", "tau", "<", "0.2"},
      {"tau <= 0.2", "tau", "<=", "0.2"},
      {"obsnum >= 18000", "obsnum", ">=", "18000"},
      {"obsnum > 1", "obsnum", ">", "1"},
      {"master != ics", "master", "!=", "ics"},
      {"master <> ics", "master", "!=", "ics"},
      {"master == ics", "master", "=", "ics"},
      {"path like '%toltec3%'", "path", "like", "%toltec3%"},
      {"source_name ILIKE \"uran%\"", "source_name", "ilike", "uran%"},
      {"source_name = 'it''s'", "source_name", "=", "it''s"},
      {"start_time >= 2024-11-13 17:00", "start_time", ">=", "2024-11-13 17:00"},
  };
  for (const auto& c : good) {
    auto t = parse_where(c.text);
    EXPECT_EQ(t.column, c.column) << c.text;
    EXPECT_EQ(t.op, c.op) << c.text;
    EXPECT_EQ(t.value, c.value) << c.text;
  }
  for (const char* bad : {"", "= 3", "obsnum", "obsnum 3", "obsnum ~ 3", "obsnum =", "obsnum === 3",
                          "obsnum between 1", "obs;num = 1", "(obsnum) = 1"})
    EXPECT_THROW(parse_where(bad), UserError) << bad;
}

TEST(Options, ExportFormats) {
  EXPECT_EQ(export_format_from_path("a/b.parquet"), ExportFormat::parquet);
  EXPECT_EQ(export_format_from_path("x.PQ"), ExportFormat::parquet);
  EXPECT_EQ(export_format_from_path("x.csv"), ExportFormat::csv);
  EXPECT_EQ(export_format_from_path("x.json"), ExportFormat::json);
  EXPECT_EQ(export_format_from_path("x.ndjson"), ExportFormat::json);
  EXPECT_EQ(export_format_from_path("x"), std::nullopt);
  EXPECT_EQ(export_format_from_path("dir.d/x"), std::nullopt);
  EXPECT_EQ(export_format_from_path("x.txt"), std::nullopt);
  EXPECT_EQ(parse_export_format("CSV"), ExportFormat::csv);
  EXPECT_EQ(parse_export_format("xml"), std::nullopt);
}

TEST(Options, GroupTypes) {
  EXPECT_EQ(group_types().size(), 5u);
  EXPECT_EQ(group_types().front(), "cal_group");
}

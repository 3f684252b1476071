// The catalogue CSV parser resynchronises after a malformed row (issue 12, case 4): under random
// damage every data row is either parsed or reported, and the counts add up (tel_csv.h).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ingest/tel_csv.h"

using namespace tolteca;
using namespace tolteca::ingest;

namespace {

const char* kHeader = "ObsNum,Date/Time [UT],SourceName,ObsGoal,ProjectId,Az [deg],El [deg],Tau,FileName,Valid\n";

std::string good_row(int i, std::mt19937& rng) {
  static const char* sources[] = {"\"3C 273\"", "Uranus", "\"Mars, \"\"the red\"\"\"", "", "\"M82\""};
  return std::to_string(131000 + i) + ".0." + std::to_string(i % 3) + ",2024-11-13 23:17:06," +
         sources[rng() % 5] + ",Science,2024-S1-MX-1," + std::to_string(rng() % 360) + ".5,45,0.1,/f" +
         std::to_string(i) + ".nc,1";
}

// One random damage inside the line (never a newline, never a blank line).
std::string damage(std::string line, std::mt19937& rng) {
  std::vector<std::size_t> commas;
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == ',') commas.push_back(i);
  switch (rng() % 6) {
    case 0: {  // a stray quote at the start of a field: `"3C 273,`
      std::size_t at = commas[rng() % commas.size()] + 1;
      line = line.substr(0, at) + '"' + line.substr(at);
      break;
    }
    case 1: line.erase(commas[rng() % commas.size()], 1); break;  // a lost delimiter
    case 2: {  // an extra column
      std::size_t at = commas[rng() % commas.size()];
      line = line.substr(0, at) + ",x" + line.substr(at);
      break;
    }
    case 3: line += '"'; break;                                     // a quote at the end
    case 4: line.resize(1 + rng() % (line.size() - 1)); break;      // a cut line
    default: line = '"' + line; break;                              // a quote before ObsNum
  }
  return line;
}

TEST(TelCsvResync, StrayQuoteOnOneLineDoesNotSwallowTheLaterRows) {
  std::mt19937 rng(1);
  std::string text = kHeader;
  for (int i = 0; i < 54; ++i) text += (i == 4 ? std::string("131004.0.1,2024-11-13 23:17:06,\"3C 273,Science,p,1,2,0.1,/f,1")
                                                : good_row(i, rng)) +
                                       "\n";
  auto p = parse_tel_csv_text(text, "cat.csv");
  EXPECT_EQ(p.data_rows, 54);
  EXPECT_EQ(p.rows.size(), 53u);
  ASSERT_EQ(p.malformed.size(), 1u);
  EXPECT_EQ(p.malformed[0].line, 6);
  EXPECT_NE(p.malformed[0].reason.find("unterminated quoted field"), std::string::npos) << p.malformed[0].reason;
  EXPECT_NE(p.malformed[0].reason.find("column 3"), std::string::npos) << p.malformed[0].reason;
  EXPECT_EQ(p.rows.back().line, 55);
}

TEST(TelCsvResync, AGoodMultiLineFieldIsStillOneRow) {
  auto p = parse_tel_csv_text(std::string(kHeader) +
                                  "131001.0.0,2024-11-13 23:17:06,\"two\nlines\",Science,p,1,2,0.1,/f,1\n"
                                  "131002.0.0,2024-11-13 23:17:06,x,Science,p,1,2,0.1,/f,1\n",
                              "cat.csv");
  ASSERT_EQ(p.rows.size(), 2u);
  EXPECT_EQ(p.rows[0].lines, 2);
  EXPECT_EQ(p.rows[0].meta.source_name, "two\nlines");
  EXPECT_EQ(p.rows[1].line, 4);
  EXPECT_EQ(p.data_rows, 2);
}

// Property: N good lines, some damaged at random. Every line is covered exactly once (by a parsed row,
// possibly a multi-line one, or by one malformed report); every undamaged line that no accepted
// multi-line row covers is parsed as itself; data_rows = rows + malformed.
TEST(TelCsvResync, RandomDamageEveryLineIsAppliedOrReported) {
  int merged_rows = 0, total_malformed = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    const int n = 40 + static_cast<int>(rng() % 80);
    std::string text = kHeader;
    std::set<std::int64_t> damaged;  // line numbers
    for (int i = 0; i < n; ++i) {
      std::string line = good_row(i, rng);
      if (rng() % 8 == 0) {
        line = damage(line, rng);
        damaged.insert(i + 2);
      }
      text += line + "\n";
    }
    auto p = parse_tel_csv_text(text, "cat.csv");
    ASSERT_EQ(p.data_rows, static_cast<std::int64_t>(p.rows.size() + p.malformed.size())) << "seed " << seed;
    std::map<std::int64_t, int> cover;  // line -> how many records cover it
    std::set<std::int64_t> parsed_alone, inside_merged;
    for (const auto& r : p.rows) {
      for (std::int64_t l = r.line; l < r.line + r.lines; ++l) ++cover[l];
      if (r.lines == 1) {
        parsed_alone.insert(r.line);
      } else {
        ++merged_rows;
        for (std::int64_t l = r.line; l < r.line + r.lines; ++l) inside_merged.insert(l);
      }
    }
    for (const auto& m : p.malformed) ++cover[m.line];
    total_malformed += static_cast<int>(p.malformed.size());
    for (std::int64_t l = 2; l < n + 2; ++l) {
      ASSERT_EQ(cover[l], 1) << "seed " << seed << " line " << l;
      if (!damaged.count(l) && !inside_merged.count(l)) {
        ASSERT_TRUE(parsed_alone.count(l)) << "seed " << seed << ": undamaged line " << l << " was not parsed";
      }
    }
    ASSERT_EQ(cover.size(), static_cast<std::size_t>(n)) << "seed " << seed;
  }
  EXPECT_GT(total_malformed, 300);  // the damage did make malformed rows
  // The good rows have no multi-line field, so a multi-line row would be damaged lines merged into one.
  EXPECT_EQ(merged_rows, 0);
}

}  // namespace

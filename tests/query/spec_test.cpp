// Table-driven tests of the observation-spec parser: every form, every
// malformed input (with the position the error names).
#include <gtest/gtest.h>

#include <random>

#include "query/spec.h"

using namespace tolteca;
using namespace tolteca::query;

namespace {

NumberSel set(std::vector<std::int64_t> v) { return {NumberSel::Kind::set, std::move(v), {}, {}, 1}; }
NumberSel range(std::optional<std::int64_t> a, std::optional<std::int64_t> b, std::int64_t step = 1) {
  return {NumberSel::Kind::range, {}, a, b, step};
}
const NumberSel kAll = NumberSel::all();
NumberSel val(std::int64_t v) { return NumberSel::value(v); }

struct Good {
  const char* text;
  std::optional<Master> master;
  NumberSel obsnum, subobsnum, scannum;
  bool latest;
  std::optional<std::string> interface;
  std::optional<int> roach;
  const char* canonical;
};

const Good kGood[] = {
    {"18366", {}, val(18366), kAll, kAll, false, {}, {}, "18366"},
    {"ics-18366", Master::ics, val(18366), kAll, kAll, false, {}, {}, "ics-18366"},
    {"ICS-18366", Master::ics, val(18366), kAll, kAll, false, {}, {}, "ics-18366"},
    {"Tcs-131289-0-2", Master::tcs, val(131289), val(0), val(2), false, {}, {}, "tcs-131289-0-2"},
    {"clip-5", Master::clip, val(5), kAll, kAll, false, {}, {}, "clip-5"},
    {"ics-18366-[0:10]", Master::ics, val(18366), range(0, 10), kAll, false, {}, {}, "ics-18366-[0:10]"},
    {"tcs-131289-0-{2,3}", Master::tcs, val(131289), val(0), set({2, 3}), false, {}, {}, "tcs-131289-0-{2,3}"},
    {"tcs-131289-0-{3, 2 ,3}", Master::tcs, val(131289), val(0), set({2, 3}), false, {}, {}, "tcs-131289-0-{2,3}"},
    {"1-{7}", {}, val(1), val(7), kAll, false, {}, {}, "1-7"},
    {"[]/7", {}, kAll, kAll, kAll, false, "toltec7", 7, "[]/toltec7"},
    {"{}/toltec12", {}, kAll, kAll, kAll, false, "toltec12", 12, "[]/toltec12"},
    {"[:]", {}, kAll, kAll, kAll, false, {}, {}, "[]"},
    {"[ : ]", {}, kAll, kAll, kAll, false, {}, {}, "[]"},
    {"[::]", {}, kAll, kAll, kAll, false, {}, {}, "[]"},
    {"131288-[]-1", {}, val(131288), kAll, val(1), false, {}, {}, "131288-[]-1"},
    {"[0:10:2]", {}, range(0, 10, 2), kAll, kAll, false, {}, {}, "[0:10:2]"},
    {"[10:]", {}, range(10, {}), kAll, kAll, false, {}, {}, "[10:]"},
    {"[:10]", {}, range({}, 10), kAll, kAll, false, {}, {}, "[:10]"},
    {"[::3]", {}, range({}, {}, 3), kAll, kAll, false, {}, {}, "[::3]"},
    {"[5:]-0", {}, range(5, {}), val(0), kAll, false, {}, {}, "[5:]-0"},
    {"[5]", {}, val(5), kAll, kAll, false, {}, {}, "5"},
    {"[1:9:1]", {}, range(1, 9), kAll, kAll, false, {}, {}, "[1:9]"},
    {"ics-18366/hwpr", Master::ics, val(18366), kAll, kAll, false, "hwpr", {}, "ics-18366/hwpr"},
    {"131289/tel_toltec", {}, val(131289), kAll, kAll, false, "tel_toltec", {}, "131289/tel_toltec"},
    {"131289/TEL_TOLTEC2", {}, val(131289), kAll, kAll, false, "tel_toltec2", {}, "131289/tel_toltec2"},
    {"131289/toltec_hk", {}, val(131289), kAll, kAll, false, "toltec_hk", {}, "131289/toltec_hk"},
    {"131289/wyatt", {}, val(131289), kAll, kAll, false, "wyatt", {}, "131289/wyatt"},
    {"ics-18366-0-0/0", Master::ics, val(18366), val(0), val(0), false, "toltec0", 0, "ics-18366-0-0/toltec0"},
    {"latest", {}, kAll, kAll, kAll, true, {}, {}, "latest"},
    {"LATEST/3", {}, kAll, kAll, kAll, true, "toltec3", 3, "latest/toltec3"},
    {"ics-latest", Master::ics, kAll, kAll, kAll, true, {}, {}, "ics-latest"},
    {"tcs-Latest/tel_toltec", Master::tcs, kAll, kAll, kAll, true, "tel_toltec", {}, "tcs-latest/tel_toltec"},
    {"  18366  ", {}, val(18366), kAll, kAll, false, {}, {}, "18366"},
    {"018366", {}, val(18366), kAll, kAll, false, {}, {}, "18366"},
    {"9223372036854775807", {}, val(9223372036854775807LL), kAll, kAll, false, {}, {}, "9223372036854775807"},
    {"1-2147483647", {}, val(1), val(2147483647), kAll, false, {}, {}, "1-2147483647"},
};

class GoodSpec : public ::testing::TestWithParam<Good> {};

TEST_P(GoodSpec, Parses) {
  const auto& g = GetParam();
  ObsSpec s = parse_spec(g.text);
  EXPECT_EQ(s.master, g.master) << g.text;
  EXPECT_EQ(s.obsnum, g.obsnum) << g.text;
  EXPECT_EQ(s.subobsnum, g.subobsnum) << g.text;
  EXPECT_EQ(s.scannum, g.scannum) << g.text;
  EXPECT_EQ(s.latest, g.latest) << g.text;
  EXPECT_EQ(s.interface, g.interface) << g.text;
  EXPECT_EQ(s.roach, g.roach) << g.text;
  EXPECT_EQ(to_string(s), g.canonical) << g.text;
  // The canonical text parses back to the same selection.
  ObsSpec again = parse_spec(to_string(s));
  again.text = s.text;
  EXPECT_EQ(again, s) << g.text;
}

INSTANTIATE_TEST_SUITE_P(AllForms, GoodSpec, ::testing::ValuesIn(kGood));

struct Bad {
  const char* text;
  std::size_t position;    // 0-based, into the trimmed text
  const char* reason_has;  // substring of the reason
};

const Bad kBad[] = {
    {"", 0, "empty spec"},
    {"   ", 0, "empty spec"},
    {"foo-1", 0, "unknown master 'foo'"},
    {"ics", 3, "expected '-' and an obsnum"},
    {"ics18366", 3, "expected '-'"},
    {"ics-", 4, "expected obsnum"},
    {"ics-x", 4, "expected obsnum"},
    {"183x6", 3, "unexpected 'x'"},
    {"18366-", 6, "expected subobsnum"},
    {"18366-0-", 8, "expected scannum"},
    {"18366-0-0-1", 9, "expected '/' or end"},
    {"18366--1", 6, "expected subobsnum"},
    {"-1", 0, "expected obsnum"},
    {"18366 0", 5, "unexpected ' '"},
    {"{1,2", 0, "not closed"},
    {"{1,,2}", 3, "expected a digit"},
    {"{1;2}", 2, "expected ',' or '}'"},
    {"{a}", 1, "expected a digit"},
    {"{1,}", 3, "expected a digit"},
    {"[1:2", 0, "not closed"},
    {"[", 0, "not closed"},
    {"[a]", 1, "unexpected 'a'"},
    {"[5:3]", 0, "empty range"},
    {"[5:5]", 0, "empty range"},
    {"[0:10:0]", 6, "step"},
    {"[0:10:2:3]", 7, "expected a number, ']'"},
    {"[0:10;2]", 5, "unexpected ';'"},
    {"[-1:5]", 1, "unexpected '-'"},
    {"1/", 2, "after '/'"},
    {"1/13", 2, "unknown interface '13'"},
    {"1/toltec13", 2, "unknown interface"},
    {"1/07", 2, "unknown interface"},
    {"1/foo", 2, "unknown interface 'foo'"},
    {"1/7/8", 3, "expected end of spec"},
    {"1/7-0", 3, "expected end of spec"},
    {"latest-1", 6, "expected '/' or end"},
    {"latestx", 0, "unknown master 'latestx'"},
    {"ics-latest1", 4, "expected obsnum"},
    {"99999999999999999999", 0, "too large"},
    {"1-99999999999", 2, "too large"},
    {"1-0-99999999999", 4, "too large"},
    {"1-[0:99999999999]", 5, "too large"},
    {"1\x01", 1, "byte 0x01"},
    {"18366/7 extra", 7, "unexpected ' '"},
    {"*", 0, "expected obsnum"},
    {"1;DROP TABLE products", 1, "unexpected ';'"},
};

class BadSpec : public ::testing::TestWithParam<Bad> {};

TEST_P(BadSpec, ErrorNamesPosition) {
  const auto& b = GetParam();
  try {
    auto s = parse_spec(b.text);
    FAIL() << "'" << b.text << "' parsed as " << to_string(s);
  } catch (const SpecError& e) {
    EXPECT_EQ(e.position(), b.position) << b.text << ": " << e.what();
    EXPECT_NE(e.reason().find(b.reason_has), std::string::npos) << b.text << ": " << e.what();
    // The message names the spec and the 1-based character.
    std::string msg = e.what();
    EXPECT_NE(msg.find("at character " + std::to_string(b.position + 1)), std::string::npos) << msg;
  }
}

INSTANTIATE_TEST_SUITE_P(Malformed, BadSpec, ::testing::ValuesIn(kBad));

TEST(Spec, ErrorIsUserError) {
  EXPECT_THROW(parse_spec("nope"), UserError);
  EXPECT_THROW(parse_specs({"1", "2", "x"}), SpecError);
  EXPECT_EQ(parse_specs({"1", "ics-2"}).size(), 2u);
}

TEST(Spec, NumberSelMatches) {
  EXPECT_TRUE(kAll.matches(0));
  EXPECT_TRUE(val(3).matches(3));
  EXPECT_FALSE(val(3).matches(4));
  EXPECT_TRUE(set({1, 5}).matches(5));
  EXPECT_FALSE(set({1, 5}).matches(3));
  auto r = range(2, 10, 3);  // 2, 5, 8
  std::vector<std::int64_t> hits;
  for (int i = 0; i < 12; ++i)
    if (r.matches(i)) hits.push_back(i);
  EXPECT_EQ(hits, (std::vector<std::int64_t>{2, 5, 8}));
  auto open = range({}, {}, 4);  // 0, 4, 8, …
  EXPECT_TRUE(open.matches(8));
  EXPECT_FALSE(open.matches(9));
  EXPECT_TRUE(range(10, {}).matches(1000000));
  EXPECT_FALSE(range(10, {}).matches(9));
}

TEST(Spec, QuartetMatches) {
  auto s = parse_spec("tcs-131289-0-{2,3}");
  EXPECT_TRUE(s.matches({Master::tcs, 131289, 0, 2}));
  EXPECT_TRUE(s.matches({Master::tcs, 131289, 0, 3}));
  EXPECT_FALSE(s.matches({Master::ics, 131289, 0, 2}));
  EXPECT_FALSE(s.matches({Master::tcs, 131289, 1, 2}));
  EXPECT_TRUE(parse_spec("[]").selects_all_observations());
  EXPECT_FALSE(parse_spec("[]/7").selects_all_observations());
  EXPECT_FALSE(parse_spec("latest").selects_all_observations());
}

TEST(Spec, InterfaceNames) {
  EXPECT_EQ(normalize_interface("7"), "toltec7");
  EXPECT_EQ(normalize_interface("Toltec0"), "toltec0");
  EXPECT_EQ(normalize_interface("hwpr"), "hwpr");
  EXPECT_EQ(normalize_interface("13"), std::nullopt);
  EXPECT_EQ(normalize_interface("toltec"), std::nullopt);
  EXPECT_EQ(normalize_interface(""), std::nullopt);
}

// Property: random byte strings over the spec alphabet either parse to a spec
// whose canonical text re-parses to the same selection, or fail with a
// position inside the text (never crash, never a different exception).
TEST(Spec, RandomInputsParseOrFailWithPosition) {
  const std::string alphabet = "0123456789{}[]:,-/ icstlpaex_";
  std::mt19937 rng(12345);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string t;
    int n = std::uniform_int_distribution<int>(0, 14)(rng);
    for (int k = 0; k < n; ++k) t += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    try {
      auto s = parse_spec(t);
      ++parsed;
      auto again = parse_spec(to_string(s));
      again.text = s.text;
      ASSERT_EQ(again, s) << "'" << t << "' -> " << to_string(s);
    } catch (const SpecError& e) {
      ASSERT_LE(e.position(), e.spec().size()) << t;
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace

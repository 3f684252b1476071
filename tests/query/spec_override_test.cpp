// query::override_spec: the original Python API's explicit arguments replacing a spec's fields.
#include <gtest/gtest.h>

#include "model/error.h"
#include "query/spec.h"
#include "query/spec_override.h"

using namespace tolteca;
using namespace tolteca::query;

namespace {

std::string over(const char* text, const SpecOverride& o) { return override_spec(parse_spec(text), o).text; }

// An override setting the fields f sets (designated initializers would leave the rest unnamed).
template <typename F>
SpecOverride with(F f) {
  SpecOverride o;
  f(o);
  return o;
}

}  // namespace

TEST(SpecOverride, EachFieldReplacesTheSpecs) {
  EXPECT_EQ(over("ics-18343", with([](SpecOverride& o) { o.master = Master::tcs; })), "tcs-18343");
  EXPECT_EQ(over("ics-18343-[0:3]", with([](SpecOverride& o) { o.obsnum = 18342; })), "ics-18342-[0:3]");
  EXPECT_EQ(over("tcs-131289", with([](SpecOverride& o) { o.scannum = 2; })), "tcs-131289-[]-2");
  EXPECT_EQ(over("tcs-131289-{0,1}-2", with([](SpecOverride& o) { o.subobsnum = 0; })), "tcs-131289-0-2");
  EXPECT_EQ(over("18343", SpecOverride{}), "18343");
}

TEST(SpecOverride, InterfaceReplacesTheSpecsAndItsRoach) {
  auto s = override_spec(parse_spec("tcs-131289-0-2/5"), with([](SpecOverride& o) { o.interface = "toltec7"; }));
  EXPECT_EQ(s.text, "tcs-131289-0-2/toltec7");
  EXPECT_EQ(s.roach, 7);
  s = override_spec(parse_spec("tcs-131289-0-2/5"), with([](SpecOverride& o) { o.interface = "tel_toltec"; }));
  EXPECT_EQ(s.text, "tcs-131289-0-2/tel_toltec");
  EXPECT_FALSE(s.roach.has_value());
  EXPECT_EQ(override_spec(parse_spec("[]"), with([](SpecOverride& o) { o.interface = "toltec12"; })).roach, 12);
}

TEST(SpecOverride, TheResultParsesBackToItself) {
  for (const char* text : {"ics-18366-[0:10]-{2,3}/7", "latest/hwpr", "[]", "clip-5-1"}) {
    const auto s = override_spec(parse_spec(text), with([](SpecOverride& o) { o.interface = "toltec3"; }));
    EXPECT_EQ(parse_spec(s.text), s) << text;
  }
}

TEST(SpecOverride, ObsnumReplacesLatest) {
  auto s = override_spec(parse_spec("ics-latest/7"), with([](SpecOverride& o) { o.obsnum = 18343; o.subobsnum = 1; }));
  EXPECT_FALSE(s.latest);
  EXPECT_EQ(s.text, "ics-18343-1/toltec7");
  EXPECT_EQ(over("latest", with([](SpecOverride& o) { o.master = Master::ics; })), "ics-latest");
}

TEST(SpecOverride, LatestNamesNoSubObservation) {
  EXPECT_THROW(override_spec(parse_spec("latest"), with([](SpecOverride& o) { o.subobsnum = 0; })), UserError);
  EXPECT_THROW(override_spec(parse_spec("tcs-latest"), with([](SpecOverride& o) { o.scannum = 2; })), UserError);
}
